// Strong integer ids (JobId, MachineId, ...) so a machine index is never
// passed where a job index is expected. Zero-cost: one int32.
#pragma once

#include <compare>
#include <cstdint>
#include <functional>

namespace dispatchlab {

template <typename Tag>
struct StrongId {
  std::int32_t value = -1;

  constexpr StrongId() = default;
  constexpr explicit StrongId(std::int32_t v) : value(v) {}
  constexpr bool valid() const { return value >= 0; }
  constexpr auto operator<=>(const StrongId&) const = default;
};

}  // namespace dispatchlab

template <typename Tag>
struct std::hash<dispatchlab::StrongId<Tag>> {
  std::size_t operator()(dispatchlab::StrongId<Tag> id) const noexcept {
    return std::hash<std::int32_t>{}(id.value);
  }
};
