// Renders the audit panel at 1200x420 with a deep audit shaped like the fault self-test's
// (fp16 run, overflow injected at dit.layers.1) and saves it, to look at (docs/screenshots/
// when STUDIO_SCREENSHOT_DIR points there, a temp folder otherwise).
#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTableView>

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <filesystem>

#include "SyntheticImages.h"
#include "TestSupport.h"
#include "studio/ui/AuditPanel.h"
#include "studio/ui/DtypeMap.h"
#include "studio/ui/LayerTableModel.h"

using namespace studio;
using namespace studio::ui;

namespace {

struct Site {
    QString module, layer, kind;
};

QList<Site> sites()
{
    QList<Site> s;
    auto add = [&](const char* m, const QString& l, const char* k) { s.push_back({QString::fromLatin1(m), l, QString::fromLatin1(k)}); };
    for (int i = 0; i < 2; ++i) {
        const QString p = QStringLiteral("layers.%1").arg(i);
        for (const char* n : {"input_layernorm", "self_attn.q_proj", "self_attn.q_norm", "self_attn.k_proj", "self_attn.k_norm", "self_attn.v_proj"})
            add("text", p + QLatin1Char('.') + QLatin1String(n), QByteArray(n).contains("norm") ? "norm" : "linear");
        add("text", p, "attention");
        for (const char* n : {"self_attn.o_proj", "post_attention_layernorm", "pre_feedforward_layernorm", "mlp.gate_proj", "mlp.up_proj",
                              "mlp.down_proj", "post_feedforward_layernorm"})
            add("text", p + QLatin1Char('.') + QLatin1String(n), QByteArray(n).contains("norm") ? "norm" : "linear");
        add("text", p, "block");
    }
    add("text", QStringLiteral("output"), "module");
    add("clip", QStringLiteral("emb_ln"), "norm");
    for (int i = 0; i < 2; ++i) {
        const QString p = QStringLiteral("encoder.layers.%1").arg(i);
        add("clip", p + QStringLiteral(".mixer.Wqkv"), "linear");
        add("clip", p, "attention");
        for (const char* n : {"mixer.out_proj", "norm1", "mlp.fc1", "mlp.fc2", "norm2"})
            add("clip", p + QLatin1Char('.') + QLatin1String(n), QByteArray(n).contains("norm") ? "norm" : "linear");
        add("clip", p, "block");
    }
    add("clip", QStringLiteral("output"), "module");
    for (const char* n : {"t_embedder.mlp.0", "t_embedder.mlp.2", "cap_embedder.0", "cap_embedder.1", "x_embedder"})
        add("dit", QLatin1String(n), QByteArray(n).endsWith(".0") && QByteArray(n).startsWith("cap") ? "norm" : "linear");
    QStringList blocks{QStringLiteral("context_refiner.0"), QStringLiteral("noise_refiner.0")};
    for (int i = 0; i < 8; ++i) blocks << QStringLiteral("layers.%1").arg(i);
    for (const QString& b : blocks) {
        for (const char* n : {"attention_norm1", "attention.qkv", "attention.q_norm", "attention.k_norm"})
            add("dit", b + QLatin1Char('.') + QLatin1String(n), QByteArray(n).contains("norm") ? "norm" : "linear");
        add("dit", b + QStringLiteral(".attention"), "attention");
        for (const char* n : {"attention.out", "attention_norm2", "ffn_norm1", "feed_forward.w1", "feed_forward.w3", "feed_forward.w2", "ffn_norm2"})
            add("dit", b + QLatin1Char('.') + QLatin1String(n), QByteArray(n).contains("norm") ? "norm" : "linear");
        add("dit", b, "block");
    }
    add("dit", QStringLiteral("final_layer.linear"), "linear");
    add("dit", QStringLiteral("output"), "module");
    add("vae", QStringLiteral("conv_in"), "conv");
    for (int u = 0; u < 4; ++u) {
        for (int r = 0; r < 2; ++r)
            for (const char* n : {"norm1", "conv1", "norm2", "conv2"})
                add("vae", QStringLiteral("up_blocks.%1.resnets.%2.%3").arg(u).arg(r).arg(QLatin1String(n)),
                    QByteArray(n).startsWith("norm") ? "norm" : "conv");
        add("vae", QStringLiteral("up_blocks.%1").arg(u), "block");
    }
    add("vae", QStringLiteral("conv_out"), "conv");
    add("vae", QStringLiteral("output"), "module");
    return s;
}

// fault = false: the clean bf16 run; true: fp16 with the overflow at dit.layers.1 (step 1),
// NaN in the transformer's input path from step 2 and in every later site and the decode.
QString auditReport(bool fault)
{
    const QString dtype = fault ? QStringLiteral("fp16") : QStringLiteral("bf16");
    QJsonArray layers;
    bool past = false, inputPath = false;
    int i = 0;
    for (const Site& s : sites()) {
        const double maxAbs = 1.5 + (i * 37 % 100) / 8.0 + (s.kind == QLatin1String("block") ? 20 : 0);
        QJsonObject o{{"module", s.module}, {"layer", s.layer}, {"kind", s.kind}, {"input_dtype", ""},
                      {"weight_dtype", s.kind == QLatin1String("linear") || s.kind == QLatin1String("norm") || s.kind == QLatin1String("conv") ? dtype : QString()},
                      {"output_dtype", dtype}, {"value_precision", fault ? QStringLiteral("fp16/tf32") : dtype},
                      {"max_abs", maxAbs}, {"fp16_headroom_bits", std::log2(65504.0 / maxAbs)}, {"nan", 0}, {"inf", 0},
                      {"beyond_fp16", 0}, {"first_nonfinite_step", -1}, {"elements", 65536}, {"calls", 40}};
        inputPath = inputPath || s.layer == QLatin1String("x_embedder");
        if (fault && s.module == QLatin1String("dit") && s.layer == QLatin1String("layers.1")) {
            o[QStringLiteral("max_abs")] = 65504.0;
            o[QStringLiteral("fp16_headroom_bits")] = 0.0;
            o[QStringLiteral("inf")] = 4903;
            o[QStringLiteral("nan")] = 3696640;
            o[QStringLiteral("first_nonfinite_step")] = 1;
            past = true;
        } else if (fault && (past || s.module == QLatin1String("vae"))) {
            o[QStringLiteral("max_abs")] = 0.0;
            o[QStringLiteral("fp16_headroom_bits")] = QJsonValue();
            o[QStringLiteral("value_precision")] = QString();
            o[QStringLiteral("nan")] = 3891200;
            o[QStringLiteral("first_nonfinite_step")] = s.module == QLatin1String("vae") ? 0 : 1;
        } else if (fault && inputPath && s.module == QLatin1String("dit")) {
            o[QStringLiteral("nan")] = 2490368;
            o[QStringLiteral("first_nonfinite_step")] = 2;
        }
        layers.append(o);
        ++i;
    }
    QJsonArray findings;
    if (fault) {
        auto finding = [&](const char* sev, const char* code, const char* module, const char* layer, int step, const char* msg) {
            findings.append(QJsonObject{{"severity", sev}, {"code", code}, {"module", module}, {"layer", layer}, {"step", step}, {"message", msg}});
        };
        finding("info", "fault-injected", "dit", "layers.1", -1, "diagnostic fault injected: overflow:dit.layers.1");
        finding("error", "nonfinite", "dit", "layers.1", 1, "first non-finite values at dit.layers.1 (step 1)");
        finding("warning", "fp16-overflow-risk", "dit", "layers.1", -1, "max |x| 65504 at layers.1: 0 bits of fp16 headroom (0 values beyond 65504)");
        finding("error", "image-black", "", "", -1,
                "final image: dead 100.0 %, white 0.0 %, non-finite 100.0 %, mean 0.000, std 0.0000, corr 1.00");
    }
    const QJsonObject root{{"audit_level", "deep"}, {"findings", findings}, {"layers", layers}};
    return QString::fromUtf8(QJsonDocument(root).toJson(QJsonDocument::Compact));
}

}  // namespace

TEST(Screenshots, AuditPanel)
{
    // The folder the inspection screenshots use; not test::temp_dir, which would empty it.
    const QByteArray env = qgetenv("STUDIO_SCREENSHOT_DIR");
    const QString dir = !env.isEmpty() ? QString::fromLocal8Bit(env)
                                       : QString::fromStdString((std::filesystem::temp_directory_path() /
                                                                 ("studio-test-ui-inspect-shots-" + std::to_string(::getpid()))).string());
    QDir().mkpath(dir);
    AuditPanel panel;
    panel.setReports(auditReport(false), auditReport(true), QStringLiteral("bf16 · seed 0"), QStringLiteral("fp16 · overflow:dit.layers.1"));
    panel.setCurrentRun(1);
    test::showAndWait(panel, {1200, 420});
    ASSERT_GE(panel.firstFailingSourceRow(), 0);
    EXPECT_EQ(panel.sourceModel()->layers()[panel.firstFailingSourceRow()].path(), QStringLiteral("dit.layers.1"));
    EXPECT_EQ(panel.report().errors, 2);
    EXPECT_GT(panel.dtypeMap()->height(), 4 * 14);
    QApplication::processEvents();
    const QImage shot = panel.grab().toImage();
    EXPECT_EQ(shot.size(), QSize(1200, 420) * panel.devicePixelRatioF());
    EXPECT_TRUE(shot.save(dir + QStringLiteral("/audit-panel.png")));
    std::printf("audit panel screenshot: %s/audit-panel.png\n", qPrintable(dir));
}
