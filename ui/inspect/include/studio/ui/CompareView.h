#pragma once
// A/B comparison of two float images: side by side (two synchronised canvases), wipe (one
// canvas, draggable divider, A left / B right), flicker (hold Space or toggle to see B) and
// difference (|A-B| x gain through a perceptual colormap, with a legend). Zoom, pan and the
// ROI (Shift+drag) are shared by every mode. Works with only A or only B set.
#include <QList>
#include <QRect>
#include <QWidget>

#include "studio/Metrics.h"
#include "studio/ui/ImageCanvas.h"

class QAction;
class QActionGroup;
class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QSpinBox;
class QTimer;
class QToolBar;

namespace studio::ui {

class ColormapLegend;
class ViewSynchronizer;

class CompareView : public QWidget {
    Q_OBJECT
public:
    enum class Mode { SideBySide, Wipe, Flicker, Difference };
    Q_ENUM(Mode)

    explicit CompareView(QWidget* parent = nullptr);

    // Either image may be empty. The view is kept when the image size does not change.
    void setImages(const ImageF& a, const ImageF& b);
    void setImageA(const ImageF& a);
    void setImageB(const ImageF& b);
    void setImages(ImagePtr a, ImagePtr b);  // shares the pixels with other widgets
    ImagePtr imageA() const { return m_a; }
    ImagePtr imageB() const { return m_b; }
    void setLabels(const QString& a, const QString& b);

    void setMode(Mode mode);
    Mode mode() const { return m_mode; }

    void setDifferenceGain(double gain);
    double differenceGain() const { return m_gain; }
    void setColormap(Colormap map);
    Colormap colormap() const { return m_map; }
    QImage differenceImage() const;  // the colour-mapped |A-B| shown in Difference mode

    void setFlickerShowsB(bool showB);
    bool flickerShowsB() const { return m_showB; }
    void setAutoFlickerInterval(int ms);  // 0 = off
    int autoFlickerInterval() const;

    void setWipePosition(double imageX);
    double wipePosition() const;

    void setRoi(const QRect& roi);
    QRect roi() const { return m_roi; }
    QRect visibleRegion() const;

    // [0] shows A (and is the single canvas of wipe, flicker and difference), [1] shows B.
    QList<ImageCanvas*> canvases() const;
    ViewSynchronizer* synchronizer() const { return m_sync; }
    QToolBar* toolBar() const { return m_toolBar; }
    ColormapLegend* legend() const { return m_legend; }

Q_SIGNALS:
    void modeChanged(studio::ui::CompareView::Mode mode);
    void hoveredPixel(const QPoint& pixel);  // (-1, -1) when off the image
    void visibleRegionChanged(const QRect& imageRect);
    void roiChanged(const QRect& roi);       // empty = cleared
    void imagesChanged();

protected:
    void keyPressEvent(QKeyEvent* event) override;
    void keyReleaseEvent(QKeyEvent* event) override;

private:
    void buildToolBar();
    void refresh(bool imagesChanged);
    void updateDifference();
    void updateControls();
    void updateZoomLabel();
    CanvasLayer layerA() const;
    CanvasLayer layerB() const;
    QString sizeProblem() const;

    ImagePtr m_a, m_b;
    QString m_labelA{QStringLiteral("A")}, m_labelB{QStringLiteral("B")};
    QImage m_displayA, m_displayB;
    CanvasLayer m_diff;
    ImagePtr m_absDiff;  // |A-B| per channel, computed once per image pair
    bool m_diffDirty{true};
    QString m_diffError;
    Mode m_mode{Mode::SideBySide};
    double m_gain{10.0};
    Colormap m_map{Colormap::Inferno};
    bool m_showB{false};
    bool m_spaceHeld{false};
    QRect m_roi;
    QSize m_lastSize;

    ImageCanvas* m_canvasA{nullptr};
    ImageCanvas* m_canvasB{nullptr};
    ColormapLegend* m_legend{nullptr};
    ViewSynchronizer* m_sync{nullptr};
    QToolBar* m_toolBar{nullptr};
    QActionGroup* m_modeGroup{nullptr};
    QList<QAction*> m_modeActions;
    QList<QAction*> m_flickerControls;
    QList<QAction*> m_diffControls;
    QAction* m_showBAction{nullptr};
    QCheckBox* m_autoFlicker{nullptr};
    QSpinBox* m_flickerMs{nullptr};
    QDoubleSpinBox* m_gainSpin{nullptr};
    QComboBox* m_mapCombo{nullptr};
    QLabel* m_zoomLabel{nullptr};
    QTimer* m_flickerTimer{nullptr};
};

}  // namespace studio::ui
