// Simulated time: signed 64-bit integer ticks. What a tick means is fixed per
// domain: one processing-time unit in the job shop, one second in UAM.
// Integer time keeps event order exact and episodes bit-identical.
#pragma once

#include <cstdint>
#include <limits>

namespace dispatchlab {

using SimTime = std::int64_t;
inline constexpr SimTime kTimeInfinity = std::numeric_limits<SimTime>::max();

}  // namespace dispatchlab
