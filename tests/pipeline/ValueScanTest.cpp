// The audit's value statistics: the CPU's one-pass scan and the device path (tensor ops, here run
// on the CPU) count the same NaN / Inf / beyond-fp16 values, mantissa widths and dtype fits.
#include <gtest/gtest.h>

#include <limits>

#include "ValueScan.h"

using namespace studio;

namespace {
ValueScan device_scan(const torch::Tensor& t, torch::Dtype fit) {
    const auto row = scan_values_device(t, fit).contiguous();
    EXPECT_EQ(row.numel(), kScanWidth);
    return unpack_scan(row.data_ptr<double>(), t.numel());
}

void expect_same(const ValueScan& a, const ValueScan& b) {
    EXPECT_EQ(a.elements, b.elements);
    EXPECT_EQ(a.nan, b.nan);
    EXPECT_EQ(a.inf, b.inf);
    EXPECT_EQ(a.beyond_fp16, b.beyond_fp16);
    EXPECT_EQ(a.nonzero, b.nonzero);
    EXPECT_EQ(a.bf16_bits, b.bf16_bits);
    EXPECT_EQ(a.fp16_bits, b.fp16_bits);
    EXPECT_EQ(a.finite, b.finite);
    EXPECT_EQ(a.fits, b.fits);
    EXPECT_DOUBLE_EQ(a.max_abs, b.max_abs);
}
}  // namespace

TEST(ValueScan, CountsEveryKindOfValue) {
    const float inf = std::numeric_limits<float>::infinity();
    const auto t = torch::tensor({1.0f, 0.0f, std::numeric_limits<float>::quiet_NaN(), -inf, 70000.0f, 1.0f + 1.0f / 1024,
                                  1.0f + 1.0f / 8388608, -2.5f});
    const auto s = scan_values_cpu(t, torch::kFloat32);
    EXPECT_EQ(s.elements, 8);
    EXPECT_EQ(s.nan, 1);
    EXPECT_EQ(s.inf, 1);
    EXPECT_EQ(s.finite, 6);
    EXPECT_EQ(s.beyond_fp16, 1);
    EXPECT_EQ(s.nonzero, 5);
    EXPECT_EQ(s.bf16_bits, 2);  // 1 and -2.5 (70000 = 0x4788B800 needs 12 mantissa bits)
    EXPECT_EQ(s.fp16_bits, 3);  // ... and 1 + 2^-10
    EXPECT_DOUBLE_EQ(s.max_abs, 70000.0);
    EXPECT_EQ(s.fits, s.finite);
    expect_same(s, device_scan(t, torch::kFloat32));
}

TEST(ValueScan, FitsTellStorageDtypesApart) {
    torch::manual_seed(5);
    const auto x = torch::randn({4096});
    const auto as_bf16 = x.to(torch::kBFloat16).to(torch::kFloat32);
    const auto as_fp16 = x.to(torch::kFloat16).to(torch::kFloat32);
    EXPECT_TRUE(scan_values_cpu(as_bf16, torch::kBFloat16).all_fit());
    EXPECT_TRUE(scan_values_cpu(as_fp16, torch::kFloat16).all_fit());
    EXPECT_FALSE(scan_values_cpu(as_fp16, torch::kBFloat16).all_fit());
    EXPECT_FALSE(scan_values_cpu(x, torch::kFloat16).all_fit());
    // Beyond fp16's range a value does not fit fp16 even with a short mantissa.
    EXPECT_FALSE(scan_values_cpu(torch::tensor({131072.0f}), torch::kFloat16).all_fit());
    for (auto fit : {torch::kFloat32, torch::kBFloat16, torch::kFloat16})
        for (const auto& t : {x, as_bf16, as_fp16}) expect_same(scan_values_cpu(t, fit), device_scan(t, fit));
}

TEST(ValueScan, ReadsReducedDtypesAndStridedSamples) {
    torch::manual_seed(6);
    const auto x = torch::randn({3, 50000}) * 100;
    const auto b = x.to(torch::kBFloat16);
    const auto s = scan_values_cpu(b, torch::kFloat32);
    EXPECT_EQ(s.elements, x.numel());
    EXPECT_EQ(s.bf16_bits, s.nonzero);  // bf16 values always fit 7 mantissa bits
    expect_same(s, device_scan(b, torch::kFloat32));
    const auto h = scan_values_cpu(x.to(torch::kFloat16), torch::kFloat32);
    EXPECT_EQ(h.fp16_bits, h.nonzero);
    // A strided sample of at most 65536 values of 150000: every 2nd value.
    const auto sampled = scan_values_cpu(x, torch::kFloat32, 65536);
    EXPECT_EQ(sampled.elements, 75000);
    expect_same(sampled, scan_values_cpu(x.reshape({-1}).slice(0, 0, x.numel(), 2).contiguous(), torch::kFloat32));
    // Non-contiguous input reads in logical order.
    expect_same(scan_values_cpu(x.t(), torch::kFloat32), scan_values_cpu(x, torch::kFloat32));
}
