#pragma once
// A Kineto trace (chrome JSON) of whatever runs between start() and stop(), where the libtorch
// has Kineto and CUDA; elsewhere start() reports that no trace can be taken.
#include <string>

namespace studio {

bool profile_available();                 // this build can write a trace
bool profile_start();                     // false: this build cannot trace
void profile_stop(const std::string& path);

}  // namespace studio
