// Same site and subsequent complaints (IOC 2020): see same_site_rules.h.
#include "server/domain/same_site_rules.h"

#include <tuple>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_format.h"
#include "server/domain/flag_rules.h"
#include "server/domain/wording.h"

namespace touchline::domain {
namespace {

std::string SiteText(const Complaint& c) {
  return c.osiics_code.empty() ? std::string("uncoded") : c.osiics_code;
}

template <typename Ptrs>
SubsequentClassification Classify(const Complaint& c, const Ptrs& others) {
  const Complaint* unhealed = nullptr;
  const Complaint* healed = nullptr;
  const Complaint* related = nullptr;
  for (const Complaint* p : others) {
    if (p->id == c.id || p->onset_at > c.onset_at) continue;
    const SiteMatch match = CompareSites(*p, c);
    if (match == SiteMatch::kDifferentSide) continue;
    if (match == SiteMatch::kRelated) {
      if (p->onset_at < c.onset_at &&
          (related == nullptr ||
           std::tie(p->onset_at, p->id) > std::tie(related->onset_at, related->id))) {
        related = p;
      }
      continue;
    }
    if (p->onset_at < c.onset_at && p->OpenAt(c.onset_at)) {
      if (unhealed == nullptr ||
          std::tie(p->onset_at, p->id) > std::tie(unhealed->onset_at, unhealed->id)) {
        unhealed = p;
      }
    } else if (p->resolved_at && *p->resolved_at <= c.onset_at) {
      if (healed == nullptr || std::tie(*p->resolved_at, p->onset_at, p->id) >
                                   std::tie(*healed->resolved_at, healed->onset_at, healed->id)) {
        healed = p;
      }
    }
  }
  SubsequentClassification out;
  if (unhealed != nullptr) {
    out.kind = SubsequentKind::kExacerbation;
    out.index_complaint_id = unhealed->id;
    out.reason = absl::StrFormat(
        "exacerbation of complaint %d (onset %s, same site %s): it had not healed at this onset",
        unhealed->id, DateText(unhealed->onset_at), SiteText(*unhealed));
  } else if (healed != nullptr) {
    out.kind = SubsequentKind::kRecurrence;
    out.index_complaint_id = healed->id;
    out.reason = absl::StrFormat(
        "recurrence of complaint %d (same site %s), returned to full participation on %s",
        healed->id, SiteText(*healed), DateText(*healed->resolved_at));
  } else if (related != nullptr) {
    out.kind = SubsequentKind::kRelated;
    out.index_complaint_id = related->id;
    out.reason = absl::StrFormat(
        "subsequent related complaint: same side as complaint %d (onset %s) but another tissue or "
        "location (%s, now %s); not a recurrence or exacerbation (IOC 2020)",
        related->id, DateText(related->onset_at), SiteText(*related), SiteText(c));
  }
  return out;
}

}  // namespace

OsiicsSite ParseOsiics(std::string_view code) {
  if (code.size() < 2) return {};
  return {absl::ascii_toupper(static_cast<unsigned char>(code[0])),
          absl::ascii_toupper(static_cast<unsigned char>(code[1]))};
}

char ComplaintRegion(const Complaint& c) {
  const OsiicsSite site = ParseOsiics(c.osiics_code);
  return site.region != 0 ? site.region : 'T';
}

SiteMatch CompareSites(const Complaint& earlier, const Complaint& later) {
  if (!SidesOverlap(earlier.side, later.side)) return SiteMatch::kDifferentSide;
  const OsiicsSite a = ParseOsiics(earlier.osiics_code);
  const OsiicsSite b = ParseOsiics(later.osiics_code);
  if (a.region != 0 && b.region != 0) {
    return a.region == b.region && a.tissue == b.tissue ? SiteMatch::kSameSite : SiteMatch::kRelated;
  }
  return ComplaintRegion(earlier) == ComplaintRegion(later) ? SiteMatch::kSameSite
                                                            : SiteMatch::kRelated;
}

std::string BamicProblem(OnsetKind onset_kind, const BamicGrade& g) {
  if (g.grade < 0 || g.grade > 4) return "grade must be 0-4";
  const int site = static_cast<int>(g.site);
  if (site < 1 || site > 3) return "site must be BAMIC_SITE_A, BAMIC_SITE_B or BAMIC_SITE_C";
  if (g.grade == 0 && g.site == BamicSite::kC) {
    return "grade 0 (MRI negative) has sites a and b only";
  }
  if (onset_kind != OnsetKind::kAcute) {
    return "a BAMIC grade is for acute complaints only (this one is gradual)";
  }
  return "";
}

std::string BamicText(const BamicGrade& g) {
  const char letter = g.site == BamicSite::kA ? 'a' : g.site == BamicSite::kB ? 'b' : 'c';
  return absl::StrFormat("%d%c", g.grade, letter);
}

SubsequentClassification ClassifySubsequent(const Complaint& c,
                                            std::span<const Complaint> complaints) {
  std::vector<const Complaint*> ptrs;
  ptrs.reserve(complaints.size());
  for (const Complaint& p : complaints) ptrs.push_back(&p);
  return Classify(c, ptrs);
}

SubsequentClassification ClassifySubsequent(const Complaint& c,
                                            std::span<const Complaint* const> complaints) {
  return Classify(c, complaints);
}

}  // namespace touchline::domain
