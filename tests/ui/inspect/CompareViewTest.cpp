// CompareView: synchronised zoom/pan, wipe, flicker, difference, ROI, one-sided input.
#include <QAction>
#include <QSignalSpy>
#include <QToolBar>
#include <QWheelEvent>

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "SyntheticImages.h"
#include "studio/ui/ColormapLegend.h"
#include "studio/ui/CompareView.h"

using namespace studio;
using namespace studio::ui;
using Mode = CompareView::Mode;

namespace {

void wheel(QWidget* w, QPointF pos, int delta)
{
    QWheelEvent ev(pos, w->mapToGlobal(pos), QPoint(), QPoint(0, delta), Qt::NoButton, Qt::NoModifier,
                   Qt::NoScrollPhase, false);
    QApplication::sendEvent(w, &ev);
}

QPoint toPoint(QPointF p) { return {static_cast<int>(std::lround(p.x())), static_cast<int>(std::lround(p.y()))}; }

QRgb screenPixel(ImageCanvas* c, QPointF imagePos)
{
    const double dpr = c->devicePixelRatioF();
    const QImage shot = c->grab().toImage();
    const QPointF d = c->mapFromImage(imagePos) * dpr;
    return shot.pixel(static_cast<int>(d.x()), static_cast<int>(d.y())) | 0xff000000u;
}

struct Fixture {
    CompareView view;
    ImageF a = test::scene(320, 240, 0);
    ImageF b = test::scene(320, 240, 1);
    Fixture()
    {
        view.setImages(a, b);
        view.setLabels(QStringLiteral("fp32"), QStringLiteral("bf16"));
        test::showAndWait(view, {1000, 500});
    }
    ImageCanvas* ca() const { return view.canvases()[0]; }
    ImageCanvas* cb() const { return view.canvases()[1]; }
};

}  // namespace

TEST(CompareView, WheelZoomAndDragPanStaySynchronised)
{
    Fixture f;
    ASSERT_EQ(f.view.mode(), Mode::SideBySide);
    ASSERT_TRUE(f.cb()->isVisible());
    EXPECT_EQ(f.ca()->viewTransform(), f.cb()->viewTransform());

    const double z0 = f.ca()->zoom();
    wheel(f.cb(), QPointF(100, 80), 120 * 8);  // zoom on B this time
    EXPECT_GT(f.cb()->zoom(), z0 * 3);
    EXPECT_EQ(f.ca()->viewTransform(), f.cb()->viewTransform());

    const QPointF c0 = f.ca()->viewTransform().center;
    QTest::mousePress(f.ca(), Qt::LeftButton, Qt::NoModifier, QPoint(200, 200));
    QTest::mouseMove(f.ca(), QPoint(230, 215));
    QTest::mouseMove(f.ca(), QPoint(260, 230));
    QTest::mouseRelease(f.ca(), Qt::LeftButton, Qt::NoModifier, QPoint(260, 230));
    const QPointF moved = c0 - f.ca()->viewTransform().center;
    EXPECT_NEAR(moved.x(), 60 / f.ca()->scale(), 1e-6);  // content follows the cursor exactly
    EXPECT_NEAR(moved.y(), 30 / f.ca()->scale(), 1e-6);
    EXPECT_EQ(f.ca()->viewTransform(), f.cb()->viewTransform());
    // The same image pixel sits at the same place in both canvases.
    EXPECT_EQ(f.ca()->mapFromImage({100, 100}), f.cb()->mapFromImage({100, 100}));

    // Switching mode keeps the view.
    const ViewTransform v = f.ca()->viewTransform();
    f.view.setMode(Mode::Wipe);
    QApplication::processEvents();
    EXPECT_DOUBLE_EQ(f.ca()->zoom(), v.zoom);
}

TEST(CompareView, DifferencePixelIsColormapOfAbsDiffTimesGain)
{
    Fixture f;
    f.view.setMode(Mode::Difference);
    f.view.setDifferenceGain(8.0);
    f.view.setColormap(Colormap::Viridis);
    QApplication::processEvents();
    EXPECT_TRUE(f.view.legend()->isVisible());
    EXPECT_DOUBLE_EQ(f.view.legend()->valueAt(1.0), 1.0 / 8.0);
    f.ca()->resetZoom();

    const QImage diff = f.view.differenceImage();
    ASSERT_EQ(diff.size(), QSize(320, 240));
    int checked = 0;
    for (const QPoint p : {QPoint(10, 230), QPoint(200, 230), QPoint(217, 100), QPoint(40, 150), QPoint(5, 5)}) {
        double d = 0;
        for (int c = 0; c < 3; ++c) d = std::max(d, std::abs(double(f.a.at(p.x(), p.y(), c)) - f.b.at(p.x(), p.y(), c)));
        const auto rgb = colormap_lookup(Colormap::Viridis, std::min(1.0, d * 8.0));
        const QRgb expected = qRgb(toByte(rgb[0]), toByte(rgb[1]), toByte(rgb[2]));
        EXPECT_EQ(diff.pixel(p), expected) << p.x() << "," << p.y() << " |A-B| " << d;
        // ... and that is what reaches the screen at 100 %.
        const QRectF vis = f.ca()->visibleImageRect();
        if (vis.contains(p)) {
            EXPECT_EQ(screenPixel(f.ca(), QPointF(p) + QPointF(0.5, 0.5)), expected);
            ++checked;
        }
    }
    EXPECT_GT(checked, 0);
    // The canvas' float values are |A-B| per channel for the value text and readouts.
    const auto& values = *f.ca()->layer().values;
    EXPECT_FLOAT_EQ(values.at(200, 230, 1), std::abs(f.a.at(200, 230, 1) - f.b.at(200, 230, 1)));
}

TEST(CompareView, WipeDividerDragsAndSplitsTheImage)
{
    CompareView view;
    view.setImages(ImageF(200, 100, 3, 0.2f), ImageF(200, 100, 3, 0.8f));
    view.setMode(Mode::Wipe);
    test::showAndWait(view, {800, 400});
    ImageCanvas* c = view.canvases()[0];
    EXPECT_FALSE(view.canvases()[1]->isVisible());
    EXPECT_DOUBLE_EQ(view.wipePosition(), 100.0);

    // Drag the divider from its handle to the image x = 50.
    const QPointF handle = c->mapFromImage({100.0, 50.0});
    const QPointF target = c->mapFromImage({50.0, 50.0});
    QSignalSpy spy(c, &ImageCanvas::wipePositionChanged);
    QTest::mousePress(c, Qt::LeftButton, Qt::NoModifier, toPoint(handle));
    QTest::mouseMove(c, toPoint(target));
    QTest::mouseRelease(c, Qt::LeftButton, Qt::NoModifier, toPoint(target));
    EXPECT_NEAR(view.wipePosition(), 50.0, 1.0 / c->scale());
    EXPECT_GE(spy.count(), 1);
    // The view did not pan while dragging the divider.
    EXPECT_EQ(c->viewTransform().center, QPointF(100, 50));
    // A left of the divider, B right of it.
    EXPECT_EQ(qRed(screenPixel(c, {30, 50})), toByte(0.2f));
    EXPECT_EQ(qRed(screenPixel(c, {80, 50})), toByte(0.8f));
    view.setWipePosition(500);  // clamped to the image
    EXPECT_DOUBLE_EQ(view.wipePosition(), 200.0);
}

TEST(CompareView, FlickerWithSpaceAndToggle)
{
    CompareView view;
    view.setImages(ImageF(64, 64, 3, 0.1f), ImageF(64, 64, 3, 0.9f));
    view.setMode(Mode::Flicker);
    test::showAndWait(view, {600, 400});
    ImageCanvas* c = view.canvases()[0];
    c->setFocus();
    const ImageF* a = view.imageA().get();
    const ImageF* b = view.imageB().get();
    EXPECT_EQ(c->layer().values.get(), a);
    QTest::keyPress(c, Qt::Key_Space);
    EXPECT_EQ(c->layer().values.get(), b);
    QTest::keyRelease(c, Qt::Key_Space);
    EXPECT_EQ(c->layer().values.get(), a);
    view.setFlickerShowsB(true);
    EXPECT_EQ(c->layer().values.get(), b);
    QTest::keyClick(c, Qt::Key_T);  // toggle shortcut
    EXPECT_FALSE(view.flickerShowsB());
    view.setAutoFlickerInterval(100);
    EXPECT_EQ(view.autoFlickerInterval(), 100);
    EXPECT_TRUE(QTest::qWaitFor([&] { return c->layer().values.get() == b; }, 2000));
    view.setAutoFlickerInterval(0);
    EXPECT_EQ(view.autoFlickerInterval(), 0);
}

TEST(CompareView, ShiftDragDrawsRoiOnAllCanvases)
{
    Fixture f;
    f.ca()->setViewTransform({2.0, QPointF(160, 120)});
    QSignalSpy spy(&f.view, &CompareView::roiChanged);
    const QPointF p0 = f.ca()->mapFromImage({100.2, 80.2});
    const QPointF p1 = f.ca()->mapFromImage({139.8, 109.8});
    QTest::mousePress(f.ca(), Qt::LeftButton, Qt::ShiftModifier, toPoint(p0));
    QTest::mouseMove(f.ca(), toPoint(p1));
    QTest::mouseRelease(f.ca(), Qt::LeftButton, Qt::ShiftModifier, toPoint(p1));
    ASSERT_EQ(spy.count(), 1);
    const QRect roi = spy.first().first().toRect();
    EXPECT_EQ(roi, QRect(100, 80, 40, 30));
    EXPECT_EQ(f.view.roi(), roi);
    EXPECT_EQ(f.cb()->roi(), roi);
    // The view did not pan.
    EXPECT_EQ(f.ca()->viewTransform().center, QPointF(160, 120));
    QTest::keyClick(f.ca(), Qt::Key_Escape);
    EXPECT_FALSE(f.view.roi().isValid());
}

TEST(CompareView, HoverReportsImagePixel)
{
    Fixture f;
    f.ca()->setViewTransform({4.0, QPointF(50, 50)});
    QSignalSpy spy(&f.view, &CompareView::hoveredPixel);
    QTest::mouseMove(f.ca(), toPoint(f.ca()->mapFromImage({37.5, 42.5})));
    ASSERT_GE(spy.count(), 1);
    EXPECT_EQ(spy.last().first().toPoint(), QPoint(37, 42));
}

TEST(CompareView, WorksWithOnlyOneImage)
{
    CompareView view;
    view.setImages(test::scene(120, 90, 0), ImageF());
    test::showAndWait(view, {700, 400});
    for (Mode m : {Mode::SideBySide, Mode::Wipe, Mode::Flicker, Mode::Difference}) {
        view.setMode(m);
        QApplication::processEvents();
        EXPECT_TRUE(view.canvases()[0]->hasImage()) << static_cast<int>(m);
        EXPECT_FALSE(view.grab().isNull());
    }
    EXPECT_TRUE(view.differenceImage().isNull());
    EXPECT_FALSE(view.canvases()[1]->hasImage());
    view.setImages(ImageF(), test::scene(120, 90, 1));  // only B
    view.setMode(Mode::Flicker);
    EXPECT_EQ(view.canvases()[0]->layer().values, view.imageB());
    view.setMode(Mode::SideBySide);
    EXPECT_FALSE(view.canvases()[0]->hasImage());
    EXPECT_TRUE(view.canvases()[1]->hasImage());
    // Different sizes: side by side still works, difference says why it cannot.
    view.setImages(test::scene(120, 90, 0), test::scene(60, 45, 1));
    view.setMode(Mode::Difference);
    EXPECT_TRUE(view.differenceImage().isNull());
    EXPECT_TRUE(view.canvases()[0]->hasImage());
}

TEST(CompareView, ModeToolbarSwitchesModes)
{
    Fixture f;
    QSignalSpy spy(&f.view, &CompareView::modeChanged);
    const auto actions = f.view.toolBar()->actions();
    auto find = [&](const QString& text) {
        for (QAction* a : actions)
            if (a->text() == text) return a;
        return static_cast<QAction*>(nullptr);
    };
    ASSERT_NE(find(QStringLiteral("Difference")), nullptr);
    find(QStringLiteral("Difference"))->trigger();
    EXPECT_EQ(f.view.mode(), Mode::Difference);
    find(QStringLiteral("Wipe"))->trigger();
    EXPECT_EQ(f.view.mode(), Mode::Wipe);
    EXPECT_TRUE(f.ca()->wipeEnabled());
    EXPECT_EQ(spy.count(), 2);
}
