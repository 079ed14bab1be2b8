#include "WorkbenchTestSupport.h"

#include <QElapsedTimer>
#include <QStandardPaths>
#include <QThread>

#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <thread>

namespace studio::test {

namespace {
// One QApplication for the whole binary, created before the first test on the main thread.
class QtEnvironment : public ::testing::Environment {
public:
    void SetUp() override {
        if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM")) qputenv("QT_QPA_PLATFORM", "offscreen");
        QStandardPaths::setTestModeEnabled(true);  // never touch the user's data folders
        static int argc = 1;
        static char name[] = "test_ui_workbench";
        static char* argv[] = {name, nullptr};
        m_app = new QApplication(argc, argv);
        QApplication::setOrganizationName(QStringLiteral("precision-studio-tests"));
        QApplication::setApplicationName(QStringLiteral("test_ui_workbench"));
    }
    void TearDown() override { delete m_app; }

private:
    QApplication* m_app{nullptr};
};

[[maybe_unused]] ::testing::Environment* const g_qt = ::testing::AddGlobalTestEnvironment(new QtEnvironment);
}  // namespace

bool waitUntil(const std::function<bool()>& done, int ms) {
    QElapsedTimer clock;
    clock.start();
    while (!done()) {
        if (clock.elapsed() > ms) return false;
        QCoreApplication::processEvents(QEventLoop::AllEvents, 20);
        QThread::msleep(2);
    }
    return true;
}

ImageF gradientImage(int w, int h, float detail) {
    ImageF img(w, h, 3);
    for (int y = 0; y < h; ++y)
        for (int x = 0; x < w; ++x) {
            img.at(x, y, 0) = static_cast<float>(x) / std::max(1, w - 1);
            img.at(x, y, 1) = static_cast<float>(y) / std::max(1, h - 1);
            img.at(x, y, 2) = 0.5f + detail * std::sin(0.7f * static_cast<float>(x + 3 * y));
        }
    return img;
}

RunResult FakeRunner::operator()(const GenerationParams& p, const JobCallbacks& cb, const CancelToken& cancel) {
    static std::atomic<int> running{0};
    const int now = ++running;
    int seen = maxConcurrent.load();
    while (now > seen && !maxConcurrent.compare_exchange_weak(seen, now)) {}
    ++calls;
    struct Leave {
        ~Leave() { --running; }
    } leave;
    for (int s = 1; s <= p.steps; ++s) {
        cancel.throw_if_cancelled();
        std::this_thread::sleep_for(std::chrono::milliseconds(stepMs));
        if (cb.on_progress) cb.on_progress(ProgressInfo{"sample", s, p.steps, s * stepMs / 1000.0, (p.steps - s) * stepMs / 1000.0});
        if (cb.on_preview && s == 1) cb.on_preview(PreviewImage{2, 2, std::vector<unsigned char>(12, 200)});
    }
    if (p.prompt.find("THROW") != std::string::npos)
        throw ModelLoadError("shape mismatch", "/models/x/transformer/model.safetensors", "layers.0.attention.qkv.weight");
    RunResult r;
    const float detail = p.precision.get(Module::Dit) == Precision::FP32 ? 0.02f : 0.025f;
    r.image = gradientImage(p.width, p.height, detail);
    r.report.params = p;
    r.report.device_name = "CPU (fake)";
    r.report.total_seconds = p.steps * stepMs / 1000.0;
    r.report.app_version = "test";
    return r;
}

ui::GenerationRunner makeRunner(std::shared_ptr<FakeRunner> fake) {
    return [fake](const GenerationParams& p, const JobCallbacks& cb, const CancelToken& c) { return (*fake)(p, cb, c); };
}

}  // namespace studio::test
