// ImageCanvas, ImageConvert and ViewSynchronizer.
#include <QWheelEvent>

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <limits>

#include "SyntheticImages.h"
#include "studio/ui/ImageCanvas.h"
#include "studio/ui/ViewSynchronizer.h"

using namespace studio;
using namespace studio::ui;

namespace {

void wheel(QWidget* w, QPointF pos, int delta)
{
    QWheelEvent ev(pos, w->mapToGlobal(pos), QPoint(), QPoint(0, delta), Qt::NoButton, Qt::NoModifier,
                   Qt::NoScrollPhase, false);
    QApplication::sendEvent(w, &ev);
}

// The grabbed canvas as a device-pixel image.
QImage grabDevice(QWidget& w) { return w.grab().toImage().convertToFormat(QImage::Format_RGB32); }

}  // namespace

TEST(ImageConvert, RoundTripAndNanVisible)
{
    ImageF img(4, 2, 3, 0.5f);
    img.at(1, 0, 0) = 1.0f;
    img.at(2, 0, 1) = -0.2f;  // clamped
    img.at(3, 1, 2) = std::numeric_limits<float>::quiet_NaN();
    img.at(0, 1, 0) = std::numeric_limits<float>::infinity();
    const QImage q = toQImage(img);
    ASSERT_EQ(q.size(), QSize(4, 2));
    EXPECT_EQ(q.pixel(0, 0), qRgb(128, 128, 128));  // 0.5 * 255 = 127.5 rounds up
    EXPECT_EQ(qRed(q.pixel(1, 0)), 255);
    EXPECT_EQ(qGreen(q.pixel(2, 0)), 0);
    EXPECT_EQ(q.pixel(3, 1), kNanColor);
    EXPECT_EQ(q.pixel(0, 1), kNanColor);
    const ImageF back = fromQImage(q);
    EXPECT_EQ(back.width, 4);
    EXPECT_NEAR(back.at(1, 0, 0), 1.0f, 1e-6);
    EXPECT_NEAR(back.at(0, 0, 1), 128 / 255.0f, 1e-6);
    EXPECT_EQ(formatFloat(std::numeric_limits<float>::quiet_NaN()), QStringLiteral("NaN"));
    EXPECT_EQ(formatFloat(0.12345f), QStringLiteral("0.1235"));
    ImageF grey(2, 1, 1, 0.25f);
    EXPECT_EQ(toQImage(grey).pixel(1, 0), qRgb(64, 64, 64));
    EXPECT_FALSE(pixelAt(&img, 4, 0).valid);
    EXPECT_TRUE(pixelAt(&img, 3, 1).valid);
}

TEST(ImageCanvas, ZoomKeysOneAndFit)
{
    ImageCanvas c;
    c.setImage(test::scene(300, 200, 0));
    test::showAndWait(c, {640, 480});
    ASSERT_TRUE(c.isFitted());
    const double dpr = c.devicePixelRatioF();
    EXPECT_NEAR(c.zoom(), std::min(640 * dpr / 300, 480 * dpr / 200), 1e-9);
    EXPECT_EQ(c.visibleImageRect(), QRect(0, 0, 300, 200));

    QTest::keyClick(&c, Qt::Key_1);
    EXPECT_DOUBLE_EQ(c.zoom(), 1.0);
    EXPECT_FALSE(c.isFitted());
    QTest::keyClick(&c, Qt::Key_Plus);
    EXPECT_DOUBLE_EQ(c.zoom(), 2.0);  // zoom levels are 2^(k/4); +/- double and halve
    QTest::keyClick(&c, Qt::Key_Minus);
    QTest::keyClick(&c, Qt::Key_Minus);
    EXPECT_DOUBLE_EQ(c.zoom(), 0.5);
    c.zoomSteps(1, QPointF(5, 5));
    EXPECT_DOUBLE_EQ(c.zoom(), std::pow(2.0, -0.75));
    QTest::keyClick(&c, Qt::Key_F);
    EXPECT_TRUE(c.isFitted());
    EXPECT_EQ(c.visibleImageRect(), QRect(0, 0, 300, 200));
    // Zoom range reaches far past 3200 %.
    for (int i = 0; i < 60; ++i) c.zoomSteps(1, QPointF(10, 10));
    EXPECT_GE(c.zoom(), 32.0);
    EXPECT_DOUBLE_EQ(c.zoom(), ImageCanvas::kMaxZoom);
}

TEST(ImageCanvas, OneHundredPercentIsOneDevicePixel)
{
    ImageCanvas c;
    c.setImage(test::checkerboard(64, 48));
    test::showAndWait(c, {200, 150});
    c.resetZoom();
    const double dpr = c.devicePixelRatioF();
    std::printf("devicePixelRatio %.2f\n", dpr);
    const QImage shot = grabDevice(c);
    ASSERT_EQ(shot.width(), static_cast<int>(std::lround(200 * dpr)));
    // Every device pixel over a 16x16 image block shows exactly one image pixel.
    const QPointF o = c.mapFromImage(QPointF(20, 16)) * dpr;
    const int ox = static_cast<int>(std::lround(o.x())), oy = static_cast<int>(std::lround(o.y()));
    EXPECT_NEAR(o.x(), ox, 1e-6);  // image pixel edges on device pixel edges
    for (int j = 0; j < 16; ++j)
        for (int i = 0; i < 16; ++i) {
            const QRgb expected = ((20 + i + 16 + j) & 1) ? qRgb(255, 255, 255) : qRgb(0, 0, 0);
            ASSERT_EQ(shot.pixel(ox + i, oy + j), expected) << "device pixel " << ox + i << "," << oy + j;
        }
    // And the scale in logical units is 1 / dpr.
    EXPECT_NEAR(c.scale(), 1.0 / dpr, 1e-12);
}

TEST(ImageCanvas, WheelZoomKeepsPointUnderCursor)
{
    ImageCanvas c;
    c.setImage(test::scene(256, 256, 0));
    test::showAndWait(c, {400, 300});
    const QPointF cursor(123.0, 77.0);
    const QPointF before = c.mapToImage(cursor);
    const double z0 = c.zoom();
    wheel(&c, cursor, 120 * 4);  // four notches = one doubling (next 2^(k/4) levels)
    EXPECT_GT(c.zoom(), z0 * 1.5);
    EXPECT_LE(c.zoom(), z0 * 2.0 + 1e-9);
    const QPointF after = c.mapToImage(cursor);
    EXPECT_NEAR(after.x(), before.x(), 1.0 / c.scale());  // within a device pixel of snapping
    EXPECT_NEAR(after.y(), before.y(), 1.0 / c.scale());
}

TEST(ImageCanvas, GridFrom800AndValuesFrom3200Percent)
{
    ImageF grey(40, 40, 3, 0.5f);
    ImageCanvas c;
    c.setImage(grey);
    test::showAndWait(c, {320, 320});
    const double dpr = c.devicePixelRatioF();
    const QRgb fill = qRgb(128, 128, 128);
    // Count non-fill device pixels inside / on the edges of the image pixel (20,20).
    auto cellStats = [&](double zoom) {
        c.setViewTransform({zoom, QPointF(20.5, 20.5)});
        const QImage shot = grabDevice(c);
        const QPointF tl = c.mapFromImage(QPointF(20, 20)) * dpr;
        const int x0 = static_cast<int>(std::lround(tl.x())), y0 = static_cast<int>(std::lround(tl.y()));
        const int n = static_cast<int>(std::lround(zoom));
        int interior = 0, edge = 0;
        for (int j = 0; j < n; ++j)
            for (int i = 0; i < n; ++i) {
                const bool onEdge = i == 0 || j == 0 || i == n - 1 || j == n - 1;
                const bool other = shot.pixel(x0 + i, y0 + j) != fill;
                if (onEdge)
                    edge += other;
                else if (i > 1 && j > 1 && i < n - 2 && j < n - 2)
                    interior += other;
            }
        return std::pair<int, int>{interior, edge};
    };
    const auto at4 = cellStats(4.0);
    EXPECT_EQ(at4.first, 0);
    EXPECT_EQ(at4.second, 0);  // no grid below 800 %
    const auto at16 = cellStats(16.0);
    EXPECT_EQ(at16.first, 0);   // no value text below 3200 %
    EXPECT_GT(at16.second, 10); // grid lines on the pixel edges
    const auto at32 = cellStats(32.0);
    EXPECT_GT(at32.first, 20);  // "0.500" x 3 drawn inside the pixel
}

TEST(ViewSynchronizer, MirrorsWithoutLoopsAndSurvivesDeletion)
{
    ViewSynchronizer sync;
    ImageCanvas a, b;
    auto* c = new ImageCanvas;
    for (ImageCanvas* x : {&a, &b, c}) {
        x->resize(300, 200);
        x->setImage(test::scene(128, 128, 0));
        sync.addCanvas(x);
    }
    int emitted = 0;
    QObject::connect(&b, &ImageCanvas::viewTransformChanged, [&] { ++emitted; });
    a.setViewTransform({3.0, QPointF(40, 50)});
    EXPECT_EQ(b.viewTransform(), a.viewTransform());
    EXPECT_EQ(c->viewTransform(), a.viewTransform());
    EXPECT_EQ(emitted, 1);  // once, no echo
    delete c;
    EXPECT_EQ(sync.canvases().size(), 2);
    b.setViewTransform({5.0, QPointF(10, 20)});
    EXPECT_EQ(a.viewTransform(), b.viewTransform());
    sync.removeCanvas(&b);
    a.setViewTransform({2.0, QPointF(64, 64)});
    EXPECT_NE(b.viewTransform(), a.viewTransform());
}
