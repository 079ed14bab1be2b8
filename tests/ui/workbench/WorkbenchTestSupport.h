#pragma once
// Shared helpers of the workbench tests: the QApplication (offscreen), waiting on the event
// loop, and a fake generation backend.
#include <QApplication>
#include <QString>

#include <atomic>
#include <chrono>
#include <functional>

#include "studio/Generation.h"
#include "studio/ui/GenerationWorker.h"

namespace studio::test {

// Runs the event loop until `done` is true or `ms` passed; returns done().
bool waitUntil(const std::function<bool()>& done, int ms = 5000);

// A fake pipeline: `steps` progress callbacks `stepMs` apart, checking the token each step.
// The image is a gradient whose fine detail depends on the precision, so A and B differ.
struct FakeRunner {
    int stepMs{2};
    std::atomic<int> calls{0};
    std::atomic<int> maxConcurrent{0};
    RunResult operator()(const GenerationParams& p, const JobCallbacks& cb, const CancelToken& cancel);
};
ui::GenerationRunner makeRunner(std::shared_ptr<FakeRunner> fake);

ImageF gradientImage(int w, int h, float detail);

}  // namespace studio::test
