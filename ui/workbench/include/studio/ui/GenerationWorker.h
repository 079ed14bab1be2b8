#pragma once
// One long-lived worker that runs generation jobs in order on its own thread, so the
// models loaded by the runner stay resident between jobs.
//
// Threading contract: construct it on the UI thread and hand it to WorkerThread, which
// moves it to a dedicated QThread. enqueue(), cancel(), cancelAll(), state() and
// queuedCount() may be called from any thread. Signals carry value types only. They are
// emitted on the worker thread, with two exceptions that report at once instead of after the
// running job: queued() is emitted on the thread that called enqueue(), and cancelled() for a
// job that never started on the thread that called cancel()/cancelAll(). Connect with the
// default (auto) connection type so each receiver runs on its own thread; never assume the
// worker thread in a direct connection.
// No exception escapes a job: the runner's errors become failed(), CancelledError
// becomes cancelled().
#include <QImage>
#include <QMetaType>
#include <QObject>
#include <QString>

#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>

#include "studio/Generation.h"

class QThread;

namespace studio::ui {

enum class JobState { Queued, Running, Completed, Failed, Cancelled };
QString jobStateName(JobState s);

using GenerationRunner =
    std::function<RunResult(const GenerationParams&, const JobCallbacks&, const CancelToken&)>;

// Converts the pipeline's 8-bit RGB preview into a QImage (deep copy).
QImage previewToImage(const PreviewImage& preview);

class GenerationWorker : public QObject {
    Q_OBJECT
public:
    static constexpr int kMaxQueued = 16;
    static constexpr int kRememberedJobs = 256;

    explicit GenerationWorker(GenerationRunner runner, QObject* parent = nullptr);
    ~GenerationWorker() override;

    // Queues a job and returns its id (> 0), or 0 when the queue is full.
    // `tag` is a free label for the front end ("A", "B").
    int enqueue(const GenerationParams& params, const QString& tag = {});
    // A queued job is dropped at once; a running one stops at its next cancellation check.
    void cancel(int jobId);
    void cancelAll();

    // Queued for unknown ids. Only the last kRememberedJobs finished jobs are remembered, so a
    // long session does not grow without bound; older ids read as unknown.
    JobState state(int jobId) const;
    QString tag(int jobId) const;
    int queuedCount() const;
    bool busy() const;  // a job is running or queued

Q_SIGNALS:
    void queued(int jobId, QString tag);
    void started(int jobId, QString tag);
    void progress(int jobId, studio::ProgressInfo info);
    void preview(int jobId, QImage image);
    void finished(int jobId, studio::RunResult result);
    void failed(int jobId, QString message);
    void cancelled(int jobId);
    void idle();  // nothing runs and nothing is queued (may repeat)

private:
    struct Job {
        int id{0};
        QString tag;
        GenerationParams params;
        CancelToken token;
    };

    void processNext();  // runs on the worker thread
    void runJob(Job& job);
    void setState(int jobId, JobState s);
    void rememberFinishedLocked(int jobId);  // m_mutex held

    GenerationRunner m_runner;
    mutable std::mutex m_mutex;
    std::deque<Job> m_queue;
    std::map<int, JobState> m_states;
    std::map<int, QString> m_tags;
    std::deque<int> m_finishedOrder;  // ids of finished jobs, oldest first
    CancelToken m_runningToken;
    int m_runningId{0};
    int m_nextId{1};
};

// Owns the worker's QThread. The destructor cancels every job and joins the thread.
class WorkerThread {
public:
    explicit WorkerThread(GenerationRunner runner);
    ~WorkerThread();
    WorkerThread(const WorkerThread&) = delete;
    WorkerThread& operator=(const WorkerThread&) = delete;

    GenerationWorker* worker() const { return m_worker; }

private:
    QThread* m_thread{nullptr};
    GenerationWorker* m_worker{nullptr};
};

}  // namespace studio::ui

Q_DECLARE_METATYPE(studio::ProgressInfo)
Q_DECLARE_METATYPE(studio::RunResult)
