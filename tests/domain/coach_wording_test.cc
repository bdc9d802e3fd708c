// What a coach may read of a protocol (issue 16): the plugin's coach label when it names no side,
// dose or finding; else the generic label.
#include "server/domain/coach_wording.h"

#include "gtest/gtest.h"

namespace touchline::domain {
namespace {

TEST(CoachWording, EverydayNamesPass) {
  for (const char* label : {"Hip activation routine", "Mobility routine", "Core stability routine",
                            "Running-readiness drills", "Strength routine"}) {
    EXPECT_TRUE(CoachSafe(label)) << label;
    EXPECT_EQ(CoachLabel(label), label);
  }
}

TEST(CoachWording, SidesDosesAndFindingsFallBackToTheGenericLabel) {
  for (const char* label :
       {"Sciatic nerve slider (seated slump) (left, 3x10, @10%)", "Piriformis release",
        "Left hip routine", "Routine for the right leg", "Nordic week 3", "Hold 20s",
        "Hamstring rehab", "Pain-free running", "Neural glides", "Post-injury routine",
        "Pelvic control", "Spasm release", "Each leg drills", "Askling Diver", ""}) {
    EXPECT_FALSE(CoachSafe(label)) << label;
    EXPECT_EQ(CoachLabel(label), kGenericCoachLabel) << label;
  }
  EXPECT_FALSE(CoachSafe(std::string(kMaxCoachLabelLength + 1, 'a')));
  EXPECT_TRUE(CoachSafe(std::string(kMaxCoachLabelLength, 'a')));
  EXPECT_TRUE(CoachSafe(kGenericCoachLabel));
}

}  // namespace
}  // namespace touchline::domain
