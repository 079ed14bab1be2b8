// GenerationWorker with a fake runner: lifecycle, progress, cancel, failures, queue order.
#include <QElapsedTimer>
#include <QThread>

#include <map>
#include <mutex>

#include <gtest/gtest.h>

#include "WorkbenchTestSupport.h"
#include "studio/ui/GenerationWorker.h"

using namespace studio;
using namespace studio::ui;
using studio::test::FakeRunner;
using studio::test::makeRunner;
using studio::test::waitUntil;

namespace {
GenerationParams smallJob(int steps, const std::string& prompt = "1girl") {
    GenerationParams p;
    p.prompt = prompt;
    p.steps = steps;
    p.width = 32;
    p.height = 16;
    p.seed = 7;
    return p;
}

// Records every signal of a worker, on the UI thread.
struct Recorder {
    explicit Recorder(GenerationWorker* w) {
        QObject::connect(w, &GenerationWorker::started, &ctx, [this](int id, const QString&) {
            started.push_back(id);
            onUiThread = onUiThread && QThread::currentThread() == qApp->thread();
        });
        QObject::connect(w, &GenerationWorker::progress, &ctx, [this](int, const ProgressInfo& p) { progress.push_back(p); });
        QObject::connect(w, &GenerationWorker::preview, &ctx, [this](int, const QImage& img) { preview = img; });
        QObject::connect(w, &GenerationWorker::finished, &ctx, [this](int id, const RunResult& r) {
            finished.push_back(id);
            result = r;
        });
        QObject::connect(w, &GenerationWorker::failed, &ctx, [this](int id, const QString& m) {
            failed.push_back(id);
            message = m;
        });
        QObject::connect(w, &GenerationWorker::cancelled, &ctx, [this](int id) { cancelled.push_back(id); });
    }
    QObject ctx;
    std::vector<int> started, finished, failed, cancelled;
    std::vector<ProgressInfo> progress;
    RunResult result;
    QImage preview;
    QString message;
    bool onUiThread{true};
};
}  // namespace

TEST(GenerationWorker, RunsAJobWithProgressAndPreview) {
    auto fake = std::make_shared<FakeRunner>();
    WorkerThread thread(makeRunner(fake));
    Recorder rec(thread.worker());
    const int id = thread.worker()->enqueue(smallJob(5), "A");
    ASSERT_GT(id, 0);
    ASSERT_TRUE(waitUntil([&] { return !rec.finished.empty(); }));
    EXPECT_EQ(rec.started, std::vector<int>{id});
    EXPECT_EQ(rec.finished, std::vector<int>{id});
    ASSERT_EQ(rec.progress.size(), 5u);
    EXPECT_EQ(rec.progress.back().step, 5);
    EXPECT_EQ(rec.progress.back().steps, 5);
    EXPECT_EQ(rec.result.image.width, 32);
    EXPECT_EQ(rec.result.report.params.seed, 7u);
    EXPECT_EQ(rec.preview.size(), QSize(2, 2));
    EXPECT_TRUE(rec.onUiThread);
    EXPECT_EQ(thread.worker()->state(id), JobState::Completed);
    EXPECT_EQ(thread.worker()->tag(id), QStringLiteral("A"));
    EXPECT_TRUE(waitUntil([&] { return !thread.worker()->busy(); }));
}

TEST(GenerationWorker, CancelStopsARunningJobWithinAStep) {
    auto fake = std::make_shared<FakeRunner>();
    fake->stepMs = 5;
    WorkerThread thread(makeRunner(fake));
    Recorder rec(thread.worker());
    const int id = thread.worker()->enqueue(smallJob(100000), "A");  // ~8 minutes if never cancelled
    ASSERT_TRUE(waitUntil([&] { return rec.progress.size() >= 3; }));
    EXPECT_EQ(thread.worker()->state(id), JobState::Running);
    QElapsedTimer clock;
    clock.start();
    thread.worker()->cancel(id);
    ASSERT_TRUE(waitUntil([&] { return !rec.cancelled.empty(); }, 2000));
    EXPECT_LT(clock.elapsed(), 1000);
    EXPECT_EQ(rec.cancelled, std::vector<int>{id});
    EXPECT_TRUE(rec.finished.empty());
    EXPECT_EQ(thread.worker()->state(id), JobState::Cancelled);
}

TEST(GenerationWorker, RunnerErrorBecomesFailedWithTheMessageAndTheWorkerGoesOn) {
    auto fake = std::make_shared<FakeRunner>();
    WorkerThread thread(makeRunner(fake));
    Recorder rec(thread.worker());
    const int bad = thread.worker()->enqueue(smallJob(2, "THROW"), "A");
    const int good = thread.worker()->enqueue(smallJob(2), "B");
    ASSERT_TRUE(waitUntil([&] { return !rec.finished.empty(); }));
    EXPECT_EQ(rec.failed, std::vector<int>{bad});
    EXPECT_TRUE(rec.message.contains(QStringLiteral("shape mismatch"))) << rec.message.toStdString();
    EXPECT_TRUE(rec.message.contains(QStringLiteral("layers.0.attention.qkv.weight"))) << rec.message.toStdString();
    EXPECT_EQ(thread.worker()->state(bad), JobState::Failed);
    EXPECT_EQ(rec.finished, std::vector<int>{good});
}

TEST(GenerationWorker, NonStudioExceptionsAreCaughtToo) {
    WorkerThread thread([](const GenerationParams&, const JobCallbacks&, const CancelToken&) -> RunResult {
        throw std::bad_alloc();
    });
    Recorder rec(thread.worker());
    const int id = thread.worker()->enqueue(smallJob(1), "A");
    ASSERT_TRUE(waitUntil([&] { return !rec.failed.empty(); }));
    EXPECT_EQ(rec.failed.front(), id);
    EXPECT_FALSE(rec.message.isEmpty());
}

TEST(GenerationWorker, JobsRunOneAtATimeInQueueOrder) {
    auto fake = std::make_shared<FakeRunner>();
    WorkerThread thread(makeRunner(fake));
    Recorder rec(thread.worker());
    std::vector<int> ids;
    for (int i = 0; i < 4; ++i) ids.push_back(thread.worker()->enqueue(smallJob(3), QString::number(i)));
    ASSERT_TRUE(waitUntil([&] { return rec.finished.size() == 4; }));
    EXPECT_EQ(rec.started, ids);
    EXPECT_EQ(rec.finished, ids);
    EXPECT_EQ(fake->maxConcurrent.load(), 1);
    EXPECT_EQ(fake->calls.load(), 4);
}

TEST(GenerationWorker, CancellingAQueuedJobDropsItAtOnce) {
    auto fake = std::make_shared<FakeRunner>();
    fake->stepMs = 5;
    WorkerThread thread(makeRunner(fake));
    Recorder rec(thread.worker());
    const int running = thread.worker()->enqueue(smallJob(100000), "A");
    const int waiting = thread.worker()->enqueue(smallJob(3), "B");
    ASSERT_TRUE(waitUntil([&] { return !rec.started.empty(); }));
    thread.worker()->cancel(waiting);
    EXPECT_EQ(rec.cancelled, std::vector<int>{waiting});  // reported right away, not after the running job
    EXPECT_EQ(thread.worker()->state(waiting), JobState::Cancelled);
    EXPECT_EQ(thread.worker()->queuedCount(), 0);
    thread.worker()->cancelAll();
    ASSERT_TRUE(waitUntil([&] { return rec.cancelled.size() == 2; }));
    EXPECT_EQ(rec.cancelled.back(), running);
    EXPECT_EQ(fake->calls.load(), 1);
}

TEST(GenerationWorker, DestroyingTheThreadDuringAJobDoesNotHang) {
    auto fake = std::make_shared<FakeRunner>();
    fake->stepMs = 5;
    QElapsedTimer clock;
    {
        WorkerThread thread(makeRunner(fake));
        thread.worker()->enqueue(smallJob(100000), "A");
        thread.worker()->enqueue(smallJob(100000), "B");
        ASSERT_TRUE(waitUntil([&] { return fake->calls.load() == 1; }));
        clock.start();
    }
    EXPECT_LT(clock.elapsed(), 2000);
    EXPECT_EQ(fake->calls.load(), 1);
}

TEST(GenerationWorker, TheQueueIsSmall) {
    auto fake = std::make_shared<FakeRunner>();
    fake->stepMs = 5;
    WorkerThread thread(makeRunner(fake));
    Recorder rec(thread.worker());
    thread.worker()->enqueue(smallJob(100000), "running");
    ASSERT_TRUE(waitUntil([&] { return !rec.started.empty(); }));
    for (int i = 0; i < GenerationWorker::kMaxQueued; ++i) EXPECT_GT(thread.worker()->enqueue(smallJob(1), "q"), 0);
    EXPECT_EQ(thread.worker()->enqueue(smallJob(1), "one too many"), 0);
    thread.worker()->cancelAll();
}

TEST(GenerationWorker, PreviewConversionChecksTheBufferSize) {
    PreviewImage p{3, 2, std::vector<unsigned char>(18, 0)};
    p.rgb[0] = 255;  // top-left red
    const QImage img = previewToImage(p);
    ASSERT_EQ(img.size(), QSize(3, 2));
    EXPECT_EQ(QColor(img.pixel(0, 0)), QColor(255, 0, 0));
    p.rgb.resize(5);
    EXPECT_TRUE(previewToImage(p).isNull());
}

// The threading contract of the header: queued() on the caller's thread, cancelled() of a job
// that never started on the canceller's thread, started()/progress on the worker thread.
TEST(GenerationWorker, SignalsComeFromTheDocumentedThreads) {
    auto fake = std::make_shared<FakeRunner>();
    fake->stepMs = 5;
    WorkerThread thread(makeRunner(fake));
    GenerationWorker* w = thread.worker();
    std::mutex m;
    std::map<std::string, std::vector<QThread*>> seen;
    auto record = [&](const std::string& name) {
        std::lock_guard<std::mutex> lock(m);
        seen[name].push_back(QThread::currentThread());
    };
    QObject::connect(w, &GenerationWorker::queued, w, [&](int, const QString&) { record("queued"); }, Qt::DirectConnection);
    QObject::connect(w, &GenerationWorker::started, w, [&](int, const QString&) { record("started"); }, Qt::DirectConnection);
    QObject::connect(w, &GenerationWorker::cancelled, w, [&](int) { record("cancelled"); }, Qt::DirectConnection);
    const int running = w->enqueue(smallJob(100000), "A");
    const int waiting = w->enqueue(smallJob(3), "B");
    ASSERT_TRUE(waitUntil([&] {
        std::lock_guard<std::mutex> lock(m);
        return !seen["started"].empty();
    }));
    w->cancel(waiting);
    w->cancel(running);
    ASSERT_TRUE(waitUntil([&] {
        std::lock_guard<std::mutex> lock(m);
        return seen["cancelled"].size() == 2;
    }));
    std::lock_guard<std::mutex> lock(m);
    QThread* ui = QThread::currentThread();
    EXPECT_EQ(seen["queued"], (std::vector<QThread*>{ui, ui}));
    ASSERT_EQ(seen["started"].size(), 1u);
    EXPECT_NE(seen["started"][0], ui);
    EXPECT_EQ(seen["cancelled"][0], ui);                 // the waiting job: at once, from cancel()
    EXPECT_EQ(seen["cancelled"][1], seen["started"][0]);  // the running job: from the worker
}

// A long session must not grow the per-job bookkeeping without bound.
TEST(GenerationWorker, RemembersOnlyTheLastFinishedJobs) {
    auto fake = std::make_shared<FakeRunner>();
    fake->stepMs = 5;
    WorkerThread thread(makeRunner(fake));
    GenerationWorker* w = thread.worker();
    const int running = w->enqueue(smallJob(100000), "A");
    std::vector<int> ids;
    for (int i = 0; i < GenerationWorker::kRememberedJobs + 40; ++i) {
        const int id = w->enqueue(smallJob(3), QStringLiteral("job %1").arg(i));
        ASSERT_GT(id, 0);
        w->cancel(id);
        ids.push_back(id);
    }
    EXPECT_EQ(w->state(ids.back()), JobState::Cancelled);
    EXPECT_EQ(w->tag(ids.back()), QStringLiteral("job %1").arg(ids.size() - 1));
    EXPECT_TRUE(w->tag(ids.front()).isEmpty()) << "the oldest finished job should be forgotten";
    EXPECT_EQ(w->state(ids.front()), JobState::Queued);  // unknown id
    w->cancel(running);
    EXPECT_TRUE(waitUntil([&] { return !w->busy(); }));
}
