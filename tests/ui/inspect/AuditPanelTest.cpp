// The precision audit panel: layer table (filters, numeric sort, first failing layer), findings
// that select their layer, the dtype map, the image badge, and reports it cannot read.
#include <QCheckBox>
#include <QComboBox>
#include <QSignalSpy>
#include <QTableView>
#include <QTest>
#include <QToolTip>
#include <QTreeWidget>

#include <gtest/gtest.h>

#include "SyntheticImages.h"
#include "studio/ui/AuditPanel.h"
#include "studio/ui/DtypeMap.h"
#include "studio/ui/LayerTableModel.h"

using namespace studio;
using namespace studio::ui;
using Col = LayerTableModel::Column;

namespace {

// Row template: module, layer, kind, weight, output, values, max |x|, headroom, nan, inf, step.
#define ROW(m, l, k, w, o, v, max, head, nan, inf, step)                                                     \
    "{\"module\":\"" m "\",\"layer\":\"" l "\",\"kind\":\"" k "\",\"weight_dtype\":\"" w "\",\"output_dtype\":\"" o \
    "\",\"input_dtype\":\"\",\"value_precision\":\"" v "\",\"max_abs\":" max ",\"fp16_headroom_bits\":" head       \
    ",\"nan\":" nan ",\"inf\":" inf ",\"beyond_fp16\":0,\"first_nonfinite_step\":" step "}"

// A fp16 transformer that overflowed: Inf in dit layers.1 at step 1, NaN everywhere after it,
// NaN in x_embedder from step 3 (earlier in the report, later in time), a NaN decode (step 0
// like every module but the transformer), and the clip row written last.
const char* kLayers =
    "[" ROW("text", "layers.0", "block", "", "bf16", "bf16", "16", "12.0", "0", "0", "-1") ","
    ROW("text", "output", "module", "", "bf16", "bf16", "32", "11.0", "0", "0", "-1") ","
    ROW("dit", "x_embedder", "linear", "fp16", "fp16", "fp16/tf32", "8", "13.0", "40", "0", "3") ","
    ROW("dit", "layers.0", "block", "", "fp16", "fp16/tf32", "49500", "0.4", "0", "0", "-1") ","
    ROW("dit", "layers.1", "block", "", "fp16", "fp16/tf32", "65504", "0.0", "100", "5", "1") ","
    ROW("dit", "layers.1.attention", "attention", "", "fp16", "fp16/tf32", "55", "10.2", "0", "0", "-1") ","
    ROW("dit", "output", "module", "", "fp16", "", "0", "null", "300", "0", "1") ","
    ROW("vae", "output", "module", "", "fp32", "fp32", "0", "null", "12", "0", "0") ","
    ROW("clip", "output", "module", "", "fp32", "fp32", "90", "9.5", "0", "0", "-1") "]";

const char* kFindings = R"json([
  {"severity":"info","code":"fault-injected","module":"dit","layer":"layers.1","step":-1,"message":"diagnostic fault injected: overflow:dit.layers.1"},
  {"severity":"error","code":"nonfinite","module":"dit","layer":"layers.1","step":1,"message":"first non-finite values at dit.layers.1 (step 1)"},
  {"severity":"warning","code":"fp16-overflow-risk","module":"dit","layer":"layers.0","step":-1,"message":"max |x| 49500 at layers.0: 0.4 bits of fp16 headroom"},
  {"severity":"warning","code":"weights-not-cast","module":"dit","layer":"layers.1.attention.qkv.weight","step":-1,"message":"parameters not in fp16"},
  {"severity":"error","code":"image-black","module":"","layer":"","step":-1,"message":"final image: dead 100.0 %"}])json";

QString report(const char* layers, const char* findings, const char* level = "deep")
{
    return QStringLiteral(R"({"audit_level":"%1","findings":%2,"layers":%3})")
        .arg(QLatin1String(level), QString::fromUtf8(findings), QString::fromUtf8(layers));
}

QString faultReport() { return report(kLayers, kFindings); }

int rowOf(const AuditPanel& panel, const QString& path, const QString& kind = {})
{
    const auto& layers = panel.sourceModel()->layers();
    for (int i = 0; i < layers.size(); ++i)
        if (layers[i].path() == path && (kind.isEmpty() || layers[i].kind == kind)) return i;
    return -1;
}

QStringList shownPaths(const AuditPanel& panel)
{
    QStringList paths;
    const QAbstractItemModel* m = panel.layerModel();
    for (int r = 0; r < m->rowCount(); ++r)
        paths << m->index(r, Col::ColModule).data().toString() + QLatin1Char('.') + m->index(r, Col::ColLayer).data().toString();
    return paths;
}

QTreeWidgetItem* findingItem(const AuditPanel& panel, const QString& code)
{
    for (int i = 0; i < panel.findingsView()->topLevelItemCount(); ++i)
        if (panel.findingsView()->topLevelItem(i)->text(0).startsWith(code + QStringLiteral(" — ")))
            return panel.findingsView()->topLevelItem(i);
    return nullptr;
}

}  // namespace

TEST(AuditPanel, InputColumnShowsTheDtypeEnteringTheSite)
{
    // An autocast linear: fp32 activations in, bf16 out.
    const char* layers = R"json([{"module":"dit","layer":"layers.0.attention.qkv","kind":"linear","weight_dtype":"fp32",
        "input_dtype":"fp32","output_dtype":"bf16","value_precision":"bf16","max_abs":3,"fp16_headroom_bits":14.4,
        "nan":0,"inf":0,"beyond_fp16":0,"first_nonfinite_step":-1}])json";
    AuditPanel panel;
    panel.setReports(report(layers, "[]"), {}, QStringLiteral("autocast-bf16"), {});
    ASSERT_EQ(panel.layerModel()->rowCount(), 1);
    EXPECT_EQ(panel.layerModel()->index(0, Col::ColInput).data().toString(), QStringLiteral("fp32"));
    EXPECT_EQ(panel.layerModel()->index(0, Col::ColOutput).data().toString(), QStringLiteral("bf16"));
    EXPECT_EQ(panel.layerModel()->headerData(Col::ColInput, Qt::Horizontal).toString(), QStringLiteral("Input"));
}

TEST(AuditPanel, ShowsEveryLayerInModelOrderAndFiltersByModule)
{
    AuditPanel panel;
    panel.setReports(faultReport(), {}, QStringLiteral("fp16"), {});
    EXPECT_EQ(panel.layerModel()->rowCount(), 9);
    EXPECT_EQ(panel.layerModel()->columnCount(), 13);
    EXPECT_TRUE(panel.placeholderText().isEmpty());
    // Model order: the clip row written last in the report comes after text, before dit.
    EXPECT_EQ(shownPaths(panel), (QStringList{"text.layers.0", "text.output", "clip.output", "dit.x_embedder", "dit.layers.0",
                                              "dit.layers.1", "dit.layers.1.attention", "dit.output", "vae.output"}));

    QComboBox* modules = panel.moduleFilter();
    ASSERT_EQ(modules->count(), 5);  // All + the four modules present
    EXPECT_EQ(modules->itemText(1), QStringLiteral("text"));
    EXPECT_EQ(modules->itemText(4), QStringLiteral("vae"));
    modules->setCurrentIndex(modules->findText(QStringLiteral("dit")));
    EXPECT_EQ(panel.layerModel()->rowCount(), 5);
    for (const QString& p : shownPaths(panel)) EXPECT_TRUE(p.startsWith(QStringLiteral("dit."))) << p.toStdString();
    panel.setModuleFilter(QStringLiteral("clip"));
    EXPECT_EQ(panel.layerModel()->rowCount(), 1);
    panel.setModuleFilter({});
    EXPECT_EQ(panel.layerModel()->rowCount(), 9);
    EXPECT_TRUE(panel.summaryText().startsWith(QStringLiteral("9 layers · 2 warnings · 2 errors · audit deep")))
        << panel.summaryText().toStdString();
}

TEST(AuditPanel, SortsHeadroomByValueSmallestFirst)
{
    AuditPanel panel;
    panel.setReports(faultReport(), {}, {}, {});
    panel.table()->sortByColumn(Col::ColHeadroom, Qt::AscendingOrder);
    const QStringList paths = shownPaths(panel);
    EXPECT_EQ(paths.value(0), QStringLiteral("dit.layers.1"));  // 0.0
    EXPECT_EQ(paths.value(1), QStringLiteral("dit.layers.0"));  // 0.4
    EXPECT_EQ(paths.value(2), QStringLiteral("clip.output"));   // 9.5 before 10.2: by value, not text
    EXPECT_EQ(paths.value(3), QStringLiteral("dit.layers.1.attention"));
    // No headroom (nothing finite seen) sorts after every number.
    EXPECT_EQ(panel.layerModel()->index(8, Col::ColHeadroom).data().toString(), QStringLiteral("—"));
    panel.table()->sortByColumn(Col::ColNan, Qt::DescendingOrder);
    EXPECT_EQ(shownPaths(panel).value(0), QStringLiteral("dit.output"));  // 300 > 100 > 40 > 12
    EXPECT_EQ(shownPaths(panel).value(1), QStringLiteral("dit.layers.1"));
}

TEST(AuditPanel, ProblemsOnlyKeepsFailingAndFlaggedRows)
{
    AuditPanel panel;
    panel.setReports(faultReport(), {}, {}, {});
    panel.problemsOnlyBox()->setChecked(true);
    EXPECT_EQ(shownPaths(panel), (QStringList{"dit.x_embedder", "dit.layers.0", "dit.layers.1", "dit.layers.1.attention",
                                              "dit.output", "vae.output"}));
    panel.setModuleFilter(QStringLiteral("text"));
    EXPECT_EQ(panel.layerModel()->rowCount(), 0);
    panel.problemsOnlyBox()->setChecked(false);
    EXPECT_EQ(panel.layerModel()->rowCount(), 2);
}

TEST(AuditPanel, HighlightsTheFirstLayerToGoNonfinite)
{
    // Without findings the panel works it out: step 1 beats step 3 earlier in the report, the
    // report order breaks the tie with dit.output, and the decoder's step 0 comes after sampling.
    for (const char* findings : {"[]", kFindings}) {
        AuditPanel panel;
        panel.setReports(report(kLayers, findings), {}, {}, {});
        const int failing = rowOf(panel, QStringLiteral("dit.layers.1"), QStringLiteral("block"));
        ASSERT_GE(failing, 0);
        EXPECT_EQ(panel.firstFailingSourceRow(), failing) << findings;
        const int row = static_cast<LayerFilterProxy*>(panel.layerModel())->mapFromSource(panel.sourceModel()->index(failing, 0)).row();
        for (int c = 0; c < LayerTableModel::ColumnCount; ++c) {
            const QModelIndex i = panel.layerModel()->index(row, c);
            EXPECT_EQ(i.data(Qt::BackgroundRole).value<QBrush>().color(), LayerTableModel::failingTint()) << c;
            EXPECT_TRUE(i.data(Qt::FontRole).value<QFont>().bold()) << c;
        }
        EXPECT_TRUE(panel.layerModel()->index(row, 0).data(Qt::ToolTipRole).toString().contains(QStringLiteral("step 1")));
        EXPECT_TRUE(panel.summaryText().contains(QStringLiteral("first non-finite: dit.layers.1 (step 1)")));
        // Others are not: the later NaN row, and the low-headroom cell tinted orange instead.
        const int later = static_cast<LayerFilterProxy*>(panel.layerModel())
                              ->mapFromSource(panel.sourceModel()->index(rowOf(panel, QStringLiteral("dit.x_embedder")), 0)).row();
        EXPECT_NE(panel.layerModel()->index(later, Col::ColLayer).data(Qt::BackgroundRole).value<QBrush>().color(),
                  LayerTableModel::failingTint());
        const int low = static_cast<LayerFilterProxy*>(panel.layerModel())
                            ->mapFromSource(panel.sourceModel()->index(rowOf(panel, QStringLiteral("dit.layers.0")), 0)).row();
        EXPECT_EQ(panel.layerModel()->index(low, Col::ColHeadroom).data(Qt::BackgroundRole).value<QBrush>().color(),
                  LayerTableModel::headroomTint());
        EXPECT_FALSE(panel.layerModel()->index(low, Col::ColLayer).data(Qt::BackgroundRole).isValid());
    }
}

TEST(AuditPanel, ClickingAFindingSelectsItsLayer)
{
    AuditPanel panel;
    panel.setReports(faultReport(), {}, {}, {});
    test::showAndWait(panel, {1000, 500});
    QTreeWidget* findings = panel.findingsView();
    ASSERT_EQ(findings->topLevelItemCount(), 5);
    // Errors first, with the standard icons.
    EXPECT_TRUE(findings->topLevelItem(0)->text(0).startsWith(QStringLiteral("nonfinite — dit.layers.1 (step 1) — first")));
    EXPECT_FALSE(findings->topLevelItem(0)->icon(0).isNull());
    EXPECT_EQ(findings->topLevelItem(1)->text(0), QStringLiteral("image-black — final image: dead 100.0 %"));

    panel.setModuleFilter(QStringLiteral("text"));  // hides the dit rows
    QTreeWidgetItem* overflow = findingItem(panel, QStringLiteral("fp16-overflow-risk"));
    ASSERT_NE(overflow, nullptr);
    findings->scrollToItem(overflow);
    QTest::mouseClick(findings->viewport(), Qt::LeftButton, {}, findings->visualItemRect(overflow).center());
    const int layer0 = rowOf(panel, QStringLiteral("dit.layers.0"));
    EXPECT_EQ(panel.selectedSourceRow(), layer0);
    EXPECT_EQ(panel.moduleFilter()->currentData().toString(), QString());  // back to All
    EXPECT_EQ(panel.dtypeMap()->selectedRow(), layer0);
    const QModelIndex current = panel.table()->currentIndex();
    EXPECT_EQ(panel.layerModel()->index(current.row(), Col::ColLayer).data().toString(), QStringLiteral("layers.0"));

    // A parameter path selects the site it belongs to.
    QTreeWidgetItem* weights = findingItem(panel, QStringLiteral("weights-not-cast"));
    ASSERT_NE(weights, nullptr);
    QTest::mouseClick(findings->viewport(), Qt::LeftButton, {}, findings->visualItemRect(weights).center());
    EXPECT_EQ(panel.selectedSourceRow(), rowOf(panel, QStringLiteral("dit.layers.1.attention")));
    // A finding about the image names no layer and leaves the selection alone.
    QTest::mouseClick(findings->viewport(), Qt::LeftButton, {}, findings->visualItemRect(findingItem(panel, "image-black")).center());
    EXPECT_EQ(panel.selectedSourceRow(), rowOf(panel, QStringLiteral("dit.layers.1.attention")));
}

TEST(AuditPanel, DtypeMapColoursByPrecisionAndClickSelectsTheRow)
{
    AuditPanel panel;
    panel.setReports(faultReport(), {}, {}, {});
    test::showAndWait(panel, {1000, 500});
    DtypeMap* map = panel.dtypeMap();
    EXPECT_EQ(map->layerCount(), 9);
    const int bf16 = rowOf(panel, QStringLiteral("text.layers.0"));
    const int fp32 = rowOf(panel, QStringLiteral("clip.output"));
    const int fp16 = rowOf(panel, QStringLiteral("dit.layers.1.attention"));
    const int nan = rowOf(panel, QStringLiteral("dit.x_embedder"));
    EXPECT_NE(map->cellColor(bf16), map->cellColor(fp32));
    EXPECT_NE(map->cellColor(bf16), map->cellColor(fp16));
    EXPECT_NE(map->cellColor(fp32), map->cellColor(fp16));
    EXPECT_GT(map->cellColor(nan).red(), 200);  // NaN/Inf: red whatever the dtype
    EXPECT_LT(map->cellColor(nan).green(), 100);
    EXPECT_TRUE(map->cellToolTip(fp32).startsWith(QStringLiteral("clip.output: module, weight none, output fp32, values fp32")));
    EXPECT_LE(map->sizeHint().height(), 4 * 14 + 40);

    QSignalSpy clicked(map, &DtypeMap::layerClicked);
    const QRect cell = map->cellRect(fp16);
    ASSERT_FALSE(cell.isEmpty());
    QTest::mouseMove(map, cell.center());
    EXPECT_EQ(QToolTip::text(), map->cellToolTip(fp16));
    QTest::mouseClick(map, Qt::LeftButton, {}, cell.center());
    ASSERT_EQ(clicked.count(), 1);
    EXPECT_EQ(clicked.first().first().toInt(), fp16);
    EXPECT_EQ(panel.selectedSourceRow(), fp16);
}

TEST(AuditPanel, SwitchesRunsAndExplainsBasicAudits)
{
    const char* basicLayers = "[" ROW("dit", "output", "module", "", "bf16", "bf16", "40", "10.7", "0", "0", "-1") ","
                              ROW("vae", "output", "module", "", "bf16", "bf16", "1.5", "15.4", "0", "0", "-1") "]";
    AuditPanel panel;
    panel.setReports(report(basicLayers, "[]", "basic"), faultReport(), QStringLiteral("bf16"), QStringLiteral("fp16"));
    ASSERT_EQ(panel.runSelector()->count(), 2);
    EXPECT_EQ(panel.currentRun(), 1) << "opens on the run with errors";
    EXPECT_EQ(panel.runSelector()->currentData().toInt(), 1);
    panel.setCurrentRun(0);
    EXPECT_TRUE(panel.runSelector()->itemText(1).contains(QStringLiteral("fp16")));
    EXPECT_EQ(panel.layerModel()->rowCount(), 2);
    EXPECT_TRUE(panel.hintText().contains(QStringLiteral("deep audit"))) << panel.hintText().toStdString();
    EXPECT_EQ(panel.findingsView()->topLevelItemCount(), 1);  // says there is nothing
    panel.setCurrentRun(1);
    EXPECT_EQ(panel.currentRun(), 1);
    EXPECT_EQ(panel.layerModel()->rowCount(), 9);
    EXPECT_TRUE(panel.hintText().isEmpty());
    EXPECT_EQ(panel.findingsView()->topLevelItemCount(), 5);
    // B only: the selector falls to B.
    panel.setReports({}, faultReport(), {}, QStringLiteral("fp16"));
    EXPECT_EQ(panel.currentRun(), 1);
    EXPECT_EQ(panel.layerModel()->rowCount(), 9);
    // Errors in A now: A is shown. Two clean runs: the user's choice stays.
    panel.setReports(faultReport(), report(basicLayers, "[]", "basic"), {}, {});
    EXPECT_EQ(panel.currentRun(), 0);
    panel.setCurrentRun(1);
    panel.setReports(report(basicLayers, "[]", "basic"), report(basicLayers, "[]", "basic"), {}, {});
    EXPECT_EQ(panel.currentRun(), 1);
}

TEST(AuditPanel, BadgeShowsTheWorstSeverity)
{
    int worst = -1;
    EXPECT_EQ(auditBadgeText(report(kLayers, "[]"), &worst), QString());
    EXPECT_EQ(worst, 0);
    EXPECT_EQ(auditBadgeText(faultReport(), &worst), QStringLiteral("✖ 2"));
    EXPECT_EQ(worst, 2);
    const char* warningOnly = R"([{"severity":"info","code":"tf32-state","module":"dit","layer":"","step":-1,"message":"on"},
        {"severity":"warning","code":"precision-signature","module":"clip","layer":"output","step":-1,"message":"bf16 ran"}])";
    EXPECT_EQ(auditBadgeText(report(kLayers, warningOnly), &worst), QStringLiteral("⚠ 1"));
    EXPECT_EQ(worst, 1);
    EXPECT_EQ(auditBadgeText(QStringLiteral("{oops"), &worst), QString());
    EXPECT_EQ(worst, 0);
    EXPECT_EQ(auditBadgeText({}), QString());
}

TEST(AuditPanel, UnreadableReportsShowAPlaceholder)
{
    AuditPanel panel;
    test::showAndWait(panel, {900, 400});
    EXPECT_TRUE(panel.placeholderText().contains(QStringLiteral("No run report"))) << panel.placeholderText().toStdString();
    for (const QString& bad : {QStringLiteral("{\"layers\": [1, 2"), QStringLiteral("[1, 2]"), QStringLiteral("not json")}) {
        panel.setReports(bad, {}, QStringLiteral("A"), {});
        EXPECT_TRUE(panel.placeholderText().contains(QStringLiteral("could not be read"))) << bad.toStdString();
        EXPECT_EQ(panel.layerModel()->rowCount(), 0);
        EXPECT_EQ(panel.firstFailingSourceRow(), -1);
        EXPECT_FALSE(panel.grab().isNull());
    }
    // Valid JSON of the wrong shape: rows without fields, findings that are not objects.
    panel.setReports(QStringLiteral(R"({"layers":[1,"x",{"module":5,"nan":"many"}],"findings":[3,{"layer":7}]})"), {}, {}, {});
    EXPECT_TRUE(panel.placeholderText().isEmpty());
    EXPECT_EQ(panel.layerModel()->rowCount(), 1);
    panel.selectSourceRow(0);
    panel.selectSourceRow(99);
    EXPECT_FALSE(panel.grab().isNull());
}
