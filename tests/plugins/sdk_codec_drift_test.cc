// The header-only SDK decodes touchline.plugin.v1 by hand and skips unknown fields by design, so a
// field added to plugin.proto and not to the SDK would be dropped silently (issue 18). These tests
// walk the contract's descriptors instead of listing fields by hand: every field of a request,
// set alone, must be read (never skipped) by the SDK, and every field of a prescription must come
// back from the SDK's decoder and encoder unchanged.
#include <functional>
#include <string>
#include <vector>

#include "google/protobuf/descriptor.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "tests/plugins/test_util.h"
#include "touchline_plugin.hpp"

namespace touchline::plugins {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
namespace sdk = touchline::sdk;
using namespace touchline::plugins::testing;  // NOLINT

// Sets `field` of `m` to a value that is not its default (one element when repeated).
void SetOne(Message& m, const FieldDescriptor* field, int depth);

// Sets every field of `m`, nested messages included (up to a depth: the contract has no cycles,
// the bound only guards against one being added).
void FillEveryField(Message& m, int depth = 0) {
  const auto* d = m.GetDescriptor();
  for (int i = 0; i < d->field_count(); ++i) SetOne(m, d->field(i), depth);
}

void SetOne(Message& m, const FieldDescriptor* field, int depth) {
  const auto* r = m.GetReflection();
  const bool rep = field->is_repeated();
  const int value = field->number() + 1;
  switch (field->cpp_type()) {
    case FieldDescriptor::CPPTYPE_INT32:
      rep ? r->AddInt32(&m, field, value) : r->SetInt32(&m, field, value);
      break;
    case FieldDescriptor::CPPTYPE_INT64:
      rep ? r->AddInt64(&m, field, value) : r->SetInt64(&m, field, value);
      break;
    case FieldDescriptor::CPPTYPE_UINT32:
      rep ? r->AddUInt32(&m, field, value) : r->SetUInt32(&m, field, value);
      break;
    case FieldDescriptor::CPPTYPE_UINT64:
      rep ? r->AddUInt64(&m, field, value) : r->SetUInt64(&m, field, value);
      break;
    case FieldDescriptor::CPPTYPE_DOUBLE:
      rep ? r->AddDouble(&m, field, value + 0.5) : r->SetDouble(&m, field, value + 0.5);
      break;
    case FieldDescriptor::CPPTYPE_FLOAT:
      rep ? r->AddFloat(&m, field, value + 0.5f) : r->SetFloat(&m, field, value + 0.5f);
      break;
    case FieldDescriptor::CPPTYPE_BOOL:
      rep ? r->AddBool(&m, field, true) : r->SetBool(&m, field, true);
      break;
    case FieldDescriptor::CPPTYPE_ENUM: {
      const auto* e = field->enum_type();
      const auto* v = e->value(e->value_count() - 1);  // a known, non-default value
      rep ? r->AddEnum(&m, field, v) : r->SetEnum(&m, field, v);
      break;
    }
    case FieldDescriptor::CPPTYPE_STRING: {
      const std::string s = "f" + std::to_string(field->number());
      rep ? r->AddString(&m, field, s) : r->SetString(&m, field, s);
      break;
    }
    case FieldDescriptor::CPPTYPE_MESSAGE: {
      if (depth > 6) break;
      Message* sub = rep ? r->AddMessage(&m, field) : r->MutableMessage(&m, field);
      if (field->message_type()->full_name() == "google.protobuf.Timestamp") {
        sub->GetReflection()->SetInt64(sub, sub->GetDescriptor()->FindFieldByName("seconds"),
                                       1790000000);
        break;
      }
      FillEveryField(*sub, depth + 1);
      break;
    }
  }
}

// Every field path of `d` below `prefix`, each with a message holding only that field (and the
// messages on its way) set.
void EachLeaf(const google::protobuf::Descriptor* d, const std::string& prefix,
              const std::function<void(const std::string&, const std::vector<const FieldDescriptor*>&)>& visit,
              std::vector<const FieldDescriptor*>& path, int depth = 0) {
  for (int i = 0; i < d->field_count(); ++i) {
    const FieldDescriptor* f = d->field(i);
    path.push_back(f);
    const std::string name = prefix + f->name();
    visit(name, path);
    if (f->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE && depth < 6 &&
        f->message_type()->full_name() != "google.protobuf.Timestamp") {
      EachLeaf(f->message_type(), name + ".", visit, path, depth + 1);
    }
    path.pop_back();
  }
}

TEST(SdkCodecDrift, EveryRequestFieldIsReadNeverSkipped) {
  std::vector<const FieldDescriptor*> path;
  int fields = 0;
  EachLeaf(pv1::AssignRequest::descriptor(), "", [&](const std::string& name,
                                                     const std::vector<const FieldDescriptor*>& p) {
    ++fields;
    pv1::AssignRequest req;
    Message* m = &req;
    for (size_t i = 0; i + 1 < p.size(); ++i) {
      m = p[i]->is_repeated() ? m->GetReflection()->AddMessage(m, p[i])
                              : m->GetReflection()->MutableMessage(m, p[i]);
    }
    SetOne(*m, p.back(), 7);  // the field alone (a message field: present, its fields unset)
    const std::string bytes = req.SerializeAsString();
    sdk::wire::Reader::SkippedFields() = 0;
    sdk::ParseAssignRequest(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
    EXPECT_EQ(sdk::wire::Reader::SkippedFields(), 0u)
        << "touchline_plugin.hpp does not read AssignRequest." << name
        << ": add it to the SDK (plugins/sdk) and its wire decoder";
  }, path);
  EXPECT_GT(fields, 60);  // the walk reached the nested messages
}

TEST(SdkCodecDrift, EveryPrescriptionFieldSurvivesTheSdk) {
  pv1::Prescription full;
  FillEveryField(full);
  // In: a past assignment of the request (the SDK's decoder); out: the SDK's response encoder.
  pv1::AssignRequest req;
  *req.add_past_assignments()->mutable_prescription() = full;
  const std::string bytes = req.SerializeAsString();
  sdk::wire::Reader::SkippedFields() = 0;
  const sdk::AssignRequest parsed =
      sdk::ParseAssignRequest(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
  EXPECT_EQ(sdk::wire::Reader::SkippedFields(), 0u);
  ASSERT_EQ(parsed.past_assignments.size(), 1u);
  const std::string out = sdk::SerializeAssignResponse({parsed.past_assignments[0].prescription});
  pv1::AssignResponse response;
  ASSERT_TRUE(response.ParseFromString(out));
  ASSERT_EQ(response.prescriptions_size(), 1);
  std::string differences;
  google::protobuf::util::MessageDifferencer diff;
  diff.ReportDifferencesToString(&differences);
  EXPECT_TRUE(diff.Compare(full, response.prescriptions(0)))
      << "a Prescription field is lost through touchline_plugin.hpp:\n" << differences;
}

}  // namespace
}  // namespace touchline::plugins
