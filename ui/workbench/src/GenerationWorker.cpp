#include "studio/ui/GenerationWorker.h"

#include <QThread>

#include <algorithm>

namespace studio::ui {

QString jobStateName(JobState s) {
    switch (s) {
        case JobState::Queued: return QStringLiteral("queued");
        case JobState::Running: return QStringLiteral("running");
        case JobState::Completed: return QStringLiteral("completed");
        case JobState::Failed: return QStringLiteral("failed");
        case JobState::Cancelled: return QStringLiteral("cancelled");
    }
    return QStringLiteral("?");
}

QImage previewToImage(const PreviewImage& preview) {
    const size_t expected = static_cast<size_t>(preview.width) * preview.height * 3;
    if (preview.width <= 0 || preview.height <= 0 || preview.rgb.size() < expected) return {};
    const QImage view(preview.rgb.data(), preview.width, preview.height, preview.width * 3, QImage::Format_RGB888);
    return view.copy();  // the pipeline's buffer does not outlive the callback
}

GenerationWorker::GenerationWorker(GenerationRunner runner, QObject* parent)
    : QObject(parent), m_runner(std::move(runner)) {
    qRegisterMetaType<studio::ProgressInfo>("studio::ProgressInfo");
    qRegisterMetaType<studio::RunResult>("studio::RunResult");
}

GenerationWorker::~GenerationWorker() = default;

int GenerationWorker::enqueue(const GenerationParams& params, const QString& tag) {
    int id = 0;
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        if (static_cast<int>(m_queue.size()) >= kMaxQueued) return 0;
        id = m_nextId++;
        m_queue.push_back(Job{id, tag, params, CancelToken{}});
        m_states[id] = JobState::Queued;
        m_tags[id] = tag;
    }
    Q_EMIT queued(id, tag);
    // One posted call per job; calls that find the queue empty (cancelled jobs) do nothing.
    QMetaObject::invokeMethod(this, [this] { processNext(); }, Qt::QueuedConnection);
    return id;
}

void GenerationWorker::cancel(int jobId) {
    if (jobId <= 0) return;
    bool removed = false;
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        if (jobId == m_runningId) {
            m_runningToken.cancel();
            return;
        }
        auto it = std::find_if(m_queue.begin(), m_queue.end(), [jobId](const Job& j) { return j.id == jobId; });
        if (it != m_queue.end()) {
            m_queue.erase(it);
            m_states[jobId] = JobState::Cancelled;
            rememberFinishedLocked(jobId);
            removed = true;
        }
    }
    // A job that never started is reported from the caller's thread, right away.
    if (removed) Q_EMIT cancelled(jobId);
}

void GenerationWorker::cancelAll() {
    std::vector<int> ids;
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        for (const Job& j : m_queue) ids.push_back(j.id);
        if (m_runningId != 0) m_runningToken.cancel();
    }
    for (int id : ids) cancel(id);
}

JobState GenerationWorker::state(int jobId) const {
    std::lock_guard<std::mutex> lock(m_mutex);
    auto it = m_states.find(jobId);
    return it == m_states.end() ? JobState::Queued : it->second;
}

QString GenerationWorker::tag(int jobId) const {
    std::lock_guard<std::mutex> lock(m_mutex);
    auto it = m_tags.find(jobId);
    return it == m_tags.end() ? QString() : it->second;
}

int GenerationWorker::queuedCount() const {
    std::lock_guard<std::mutex> lock(m_mutex);
    return static_cast<int>(m_queue.size());
}

bool GenerationWorker::busy() const {
    std::lock_guard<std::mutex> lock(m_mutex);
    return m_runningId != 0 || !m_queue.empty();
}

void GenerationWorker::setState(int jobId, JobState s) {
    std::lock_guard<std::mutex> lock(m_mutex);
    m_states[jobId] = s;
    if (s != JobState::Running && jobId == m_runningId) m_runningId = 0;
    if (s != JobState::Running && s != JobState::Queued) rememberFinishedLocked(jobId);
}

void GenerationWorker::rememberFinishedLocked(int jobId) {
    m_finishedOrder.push_back(jobId);
    while (static_cast<int>(m_finishedOrder.size()) > kRememberedJobs) {
        const int old = m_finishedOrder.front();
        m_finishedOrder.pop_front();
        m_states.erase(old);
        m_tags.erase(old);
    }
}

void GenerationWorker::processNext() {
    Job job;
    {
        std::unique_lock<std::mutex> lock(m_mutex);
        if (m_runningId != 0) return;
        if (m_queue.empty()) {  // its job was cancelled while queued: the worker is idle
            lock.unlock();
            Q_EMIT idle();
            return;
        }
        job = std::move(m_queue.front());
        m_queue.pop_front();
        m_runningId = job.id;
        m_runningToken = job.token;
        m_states[job.id] = JobState::Running;
    }
    runJob(job);
    bool empty = false;
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        empty = m_queue.empty();
    }
    if (empty) Q_EMIT idle();
}

void GenerationWorker::runJob(Job& job) {
    const int id = job.id;
    Q_EMIT started(id, job.tag);
    JobCallbacks callbacks;
    callbacks.on_progress = [this, id](const ProgressInfo& info) { Q_EMIT progress(id, info); };
    callbacks.on_preview = [this, id](const PreviewImage& p) { Q_EMIT preview(id, previewToImage(p)); };
    try {
        job.token.throw_if_cancelled();
        if (!m_runner) throw StudioError("no generation backend is available");
        RunResult result = m_runner(job.params, callbacks, job.token);
        if (job.token.cancelled() || result.report.cancelled) throw CancelledError();
        setState(id, JobState::Completed);
        Q_EMIT finished(id, std::move(result));
    } catch (const CancelledError&) {
        setState(id, JobState::Cancelled);
        Q_EMIT cancelled(id);
    } catch (const std::exception& e) {
        setState(id, JobState::Failed);
        Q_EMIT failed(id, QString::fromStdString(e.what()));
    } catch (...) {
        setState(id, JobState::Failed);
        Q_EMIT failed(id, QStringLiteral("unknown error in the generation backend"));
    }
}

WorkerThread::WorkerThread(GenerationRunner runner)
    : m_thread(new QThread), m_worker(new GenerationWorker(std::move(runner))) {
    m_thread->setObjectName(QStringLiteral("generation"));
    m_worker->moveToThread(m_thread);
    m_thread->start();
}

WorkerThread::~WorkerThread() {
    m_worker->cancelAll();
    m_thread->quit();
    m_thread->wait();
    delete m_worker;  // the thread has stopped, so deleting from here is safe
    delete m_thread;
}

}  // namespace studio::ui
