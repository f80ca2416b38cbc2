/* SPDX-License-Identifier: GPL-3.0-only */
// HostPreset.h: presets for MixxEngineHost: the engine's parameter state (mixx_params_save / mixx_params_load,
// JSON text) to and from a file. Plain C++ and POSIX, no JUCE. A file is written whole or not at all (a temporary
// file in the same directory, fsync, rename) and never through a symlink.
#pragma once

#include <string>

#include <mixxengine_params.h>

namespace mixxhost
{

// Control thread (not the audio thread). Returns "" or a one-line error naming the file and the cause (a symlink
// at `path`, a directory that cannot be written, a full disk, the engine's own error).
std::string savePresetFile (const mixx_engine* e, const std::string& path);
// Control thread. Reads `path` (at most 4 MiB) and loads it all or nothing (mixx_params_load: malformed text,
// unknown names and out-of-range values change nothing). Returns "" or a one-line error.
std::string loadPresetFile (mixx_engine* e, const std::string& path);

} // namespace mixxhost
