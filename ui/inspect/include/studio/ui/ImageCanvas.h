#pragma once
// One zoomable, pannable view of a float image (or a wipe composite of two), built for
// looking at single pixels: nearest-neighbour sampling from 100 %, a pixel grid from 800 %,
// the float values written inside each pixel from 3200 %.
#include <QImage>
#include <QPointF>
#include <QRect>
#include <QString>
#include <QWidget>

#include "studio/ui/ImageConvert.h"

class QPainter;

namespace studio::ui {

// zoom: DEVICE pixels per image pixel (1 = 100 %, one image pixel on one screen pixel).
// center: the image coordinate shown at the centre of the canvas. Centre-based so that
// canvases of slightly different sizes stay aligned when synchronised.
struct ViewTransform {
    double zoom{1.0};
    QPointF center;
    bool operator==(const ViewTransform& o) const { return zoom == o.zoom && center == o.center; }
    bool operator!=(const ViewTransform& o) const { return !(*this == o); }
};

// What a canvas shows: the float values (for readouts and the value text) and their
// 8-bit rendering. `display` may be a colour-mapped view of `values` (difference mode).
struct CanvasLayer {
    ImagePtr values;
    QImage display;
    QString label;
    bool isNull() const { return display.isNull(); }
};

class ImageCanvas : public QWidget {
    Q_OBJECT
public:
    static constexpr double kMinZoom = 1.0 / 64.0;
    static constexpr double kMaxZoom = 256.0;    // 25600 %
    static constexpr double kGridZoom = 8.0;     // pixel grid from 800 %
    static constexpr double kValuesZoom = 32.0;  // value text from 3200 %

    explicit ImageCanvas(QWidget* parent = nullptr);

    // Shows `img`; the view is kept when the size matches the previous image, else fitted.
    void setImage(const ImageF& img, const QString& label = {});
    void setLayer(CanvasLayer layer);
    void clear();
    const CanvasLayer& layer() const { return m_layer; }
    bool hasImage() const { return !m_layer.isNull(); }
    QSize imageSize() const { return m_layer.display.size(); }

    // Wipe composite: `second` right of the divider, the main layer left of it.
    void setWipeLayer(CanvasLayer second);
    void setWipeEnabled(bool on);
    bool wipeEnabled() const { return m_wipe; }
    double wipePosition() const { return m_wipeX; }  // image x coordinate of the divider
    void setWipePosition(double imageX);

    ViewTransform viewTransform() const { return m_view; }
    void setViewTransform(const ViewTransform& view);
    double zoom() const { return m_view.zoom; }
    double scale() const;  // logical widget pixels per image pixel = zoom / devicePixelRatioF

    void setZoom(double zoom, QPointF anchor);  // keeps the image point under `anchor` fixed
    void zoomSteps(int steps, QPointF anchor);  // zoom levels are 2^(k/4): 100 %, 200 % ... exact
    void zoomIn();
    void zoomOut();
    void resetZoom();  // 100 %
    void fitToView();
    // Fitted = the view follows the canvas size (after F / fitToView until the next zoom or pan).
    bool isFitted() const { return m_fitted; }
    void setFitted(bool fitted);

    QPointF mapToImage(QPointF widgetPos) const;
    QPointF mapFromImage(QPointF imagePos) const;
    QRect visibleImageRect() const;  // image pixels at least partly visible, clipped to the image

    void setRoi(const QRect& roi);  // image pixels; empty = none
    QRect roi() const { return m_roi; }
    void setPlaceholderText(const QString& text);
    void setMessage(const QString& text);  // banner over the image ("needs both images")

    QSize sizeHint() const override { return {480, 360}; }
    QSize minimumSizeHint() const override { return {120, 90}; }

Q_SIGNALS:
    void viewTransformChanged(const studio::ui::ViewTransform& view);
    void visibleRegionChanged(const QRect& imageRect);
    void hoveredPixelChanged(const QPoint& pixel);  // (-1, -1) when the cursor leaves the image
    void roiChanged(const QRect& roi);              // drawn with Shift+drag, cleared with Escape
    void wipePositionChanged(double imageX);

protected:
    void paintEvent(QPaintEvent* event) override;
    void resizeEvent(QResizeEvent* event) override;
    void wheelEvent(QWheelEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;
    void mouseReleaseEvent(QMouseEvent* event) override;
    void leaveEvent(QEvent* event) override;
    void keyPressEvent(QKeyEvent* event) override;

private:
    enum class Drag { None, Pan, Roi, Wipe };

    QPointF origin() const;  // widget position of image (0,0), snapped to device pixels
    ViewTransform clamped(ViewTransform v) const;
    void applyView(const ViewTransform& v, bool fromUser);
    bool nearDivider(QPointF widgetPos) const;
    QPointF cursorAnchor() const;
    void updateHover(QPointF widgetPos);
    QRect roiFromDrag(QPointF a, QPointF b) const;

    void paintLayer(QPainter& p, const CanvasLayer& layer, const QRectF& clip) const;
    void paintGrid(QPainter& p, const QRect& pixels) const;
    void paintValues(QPainter& p, const CanvasLayer& layer, const QRect& pixels, const QRectF& clip) const;
    void paintOverlays(QPainter& p) const;
    void paintTag(QPainter& p, const QString& text, bool right) const;

    CanvasLayer m_layer;
    CanvasLayer m_second;
    bool m_wipe{false};
    double m_wipeX{0};
    ViewTransform m_view;
    bool m_fitted{true};
    QRect m_roi;
    QString m_placeholder;
    QString m_message;
    QPoint m_hover{-1, -1};
    int m_wheelAccum{0};

    Drag m_drag{Drag::None};
    QPointF m_dragStart;
    QPointF m_dragLast;
    ViewTransform m_dragView;
};

}  // namespace studio::ui

Q_DECLARE_METATYPE(studio::ui::ViewTransform)
