#include <gtest/gtest.h>

#include <cmath>

#include "studio/Divergence.h"
#include "studio/Errors.h"

using namespace studio;

TEST(Divergence, RelativeL2PerStep) {
    StepTrajectory a, b;
    a.latents = {{3, 4}, {1, 0}};
    a.velocities = {{1, 0}, {0, 2}};
    b.latents = {{3, 4}, {1, 1}};
    b.velocities = {{1, 0}, {0, 1}};
    const auto d = trajectory_divergence(a, b);
    ASSERT_EQ(d.size(), 2u);
    EXPECT_EQ(d[0].step, 1);
    EXPECT_DOUBLE_EQ(d[0].latent, 0.0);
    EXPECT_DOUBLE_EQ(d[1].latent, 1.0);     // |(0,1)| / |(1,0)|
    EXPECT_DOUBLE_EQ(d[1].velocity, 0.5);   // |(0,1)| / |(0,2)|
}

TEST(Divergence, NonFiniteStepsAreNaNAndSizeMismatchThrows) {
    StepTrajectory a, b;
    a.latents = {{1, 2}};
    b.latents = {{NAN, 2}};
    const auto d = trajectory_divergence(a, b);
    ASSERT_EQ(d.size(), 1u);
    EXPECT_TRUE(std::isnan(d[0].latent));
    EXPECT_TRUE(std::isnan(d[0].velocity));  // no velocities recorded
    b.latents = {{1, 2, 3}};
    EXPECT_THROW(trajectory_divergence(a, b), StudioError);
}

TEST(Divergence, JsonRoundTripKeepsNaNAsNull) {
    const std::vector<StepDivergence> d{{1, 1e-4, 2e-4}, {2, NAN, 0.5}};
    const auto j = divergence_to_json(d);
    EXPECT_TRUE(j[1]["latent"].is_null());
    const auto back = divergence_from_json(j);
    ASSERT_EQ(back.size(), 2u);
    EXPECT_DOUBLE_EQ(back[0].velocity, 2e-4);
    EXPECT_TRUE(std::isnan(back[1].latent));
    EXPECT_EQ(back[1].step, 2);
}
