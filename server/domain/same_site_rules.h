// Same site, as the IOC 2020 consensus on injury and illness surveillance defines it (Bahr et al.
// 2020, Br J Sports Med 54:372, "subsequent injuries"): a later complaint is a *recurrence* (index
// healed) or an *exacerbation* (index not healed) only when it is of the same location AND the same
// tissue as the index; a later complaint on the same side of another tissue or location is a
// *subsequent related* complaint: it is shown to the physio but raises no RECURRENT/EXACERBATION
// flag. The recurrence windows (flag_rules.h, Fuller 2007) are unchanged.
//
// Location and tissue come from the OSIICS code when both complaints carry one. OSIICS (Orchard et
// al., "Orchard Sports Injury and Illness Classification System (OSIICS) Version 13", Br J Sports
// Med 2020; kept in v14) codes are built from the body area in the first character (T thigh,
// L lumbar spine/pelvis, ...) and the tissue/pathology type in the second (M muscle strain/spasm,
// T tendon, R rupture, N nerve, Z not specified, ...); further characters name the structure and
// detail. The domain notes' codes follow it: TM1 hamstring strain, TMH hamstring cramp, TMW
// back-referred hamstring tightness are thigh/muscle; TT1 (origin tendinopathy) thigh/tendon; TRH
// (origin tendon rupture) thigh/rupture; LNP (piriformis syndrome) lumbar/nerve; LMP (piriformis
// strain) lumbar/muscle. So location = the first character and tissue = the second. (The search
// tool could not reach the OSIICS paper itself; the structure is as published in the paper and
// as the domain notes' eight codes show.)
//
// When either complaint has no code, the fallback is side and region: every complaint is a
// hamstring complaint, so an uncoded complaint is taken to be of the posterior thigh (region 'T');
// a coded one has the region of its first character. Sides always have to overlap (SidesOverlap).
#pragma once

#include <string>
#include <string_view>
#include <span>

#include "server/domain/model.h"

namespace touchline::domain {

// Where and what an OSIICS code says: body area and tissue characters, upper case. Empty fields
// for an empty or too short code.
struct OsiicsSite {
  char region = 0;  // 0: no code
  char tissue = 0;  // 0: no code
};
OsiicsSite ParseOsiics(std::string_view code);

// The region of a complaint for the side-and-region fallback: its code's body area, or 'T'
// (posterior thigh: a hamstring complaint) without a code.
char ComplaintRegion(const Complaint& c);

enum class SiteMatch {
  kDifferentSide = 0,   // sides do not overlap: unrelated
  kSameSite = 1,        // same side, location and tissue (or, without both codes, same side+region)
  kRelated = 2,         // same side, another tissue or location: subsequent related
};

// How complaint `later` relates in site to `earlier` (order matters only for reading).
SiteMatch CompareSites(const Complaint& earlier, const Complaint& later);
inline bool SameSite(const Complaint& a, const Complaint& b) {
  return CompareSites(a, b) == SiteMatch::kSameSite;
}

// IOC 2020 classification of a complaint against the player's earlier ones.
enum class SubsequentKind {
  kNew = 0,           // no earlier complaint on an overlapping side
  kRecurrence = 1,    // same site, after the index had been resolved
  kExacerbation = 2,  // same site, while the index was still open at this onset
  kRelated = 3,       // an earlier complaint on the same side, of another tissue or location
};

struct SubsequentClassification {
  SubsequentKind kind = SubsequentKind::kNew;
  Id index_complaint_id = 0;  // the earlier complaint it is classified against; 0 for kNew
  std::string reason;         // readable by a physio; empty for kNew
};

// `complaints` are the player's complaints (any order, may include `c`). Earlier = onset strictly
// before c's. Precedence: exacerbation (most recent unhealed same-site onset), then recurrence
// (most recent same-site resolution at or before the onset), then related (most recent earlier
// same-side complaint of another tissue/location). Ties: later onset, then higher id.
SubsequentClassification ClassifySubsequent(const Complaint& c, std::span<const Complaint> complaints);
// The same over pointers (what flag_rules holds).
SubsequentClassification ClassifySubsequent(const Complaint& c,
                                            std::span<const Complaint* const> complaints);

// Why a BAMIC grade cannot stand on a complaint of this onset kind, or "" when it can: only acute
// complaints are graded (BAMIC grades an acute muscle injury on MRI), grade 0-4, a site letter,
// and grade 0 has only a and b (Pollock et al. 2014: 0a focal neuromuscular, 0b generalised
// soreness, both MRI negative). See model.h BamicGrade.
std::string BamicProblem(OnsetKind onset_kind, const BamicGrade& grade);
// "2b", "0a", ...
std::string BamicText(const BamicGrade& grade);

}  // namespace touchline::domain
