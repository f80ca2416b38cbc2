// SPDX-License-Identifier: MIT
// mixxengine.hpp: header-only C++17 wrapper over the C API of mixxengine.h: mixx::engine (RAII, move-only),
// mixx::config (builder), mixx::error (exception) and mixx::result<T> (expected-style), span-based hosted
// processing, and callbacks as any callable. Nothing here is compiled into the library; the C ABI stays the contract.
#ifndef MIXXENGINE_HPP
#define MIXXENGINE_HPP

#include "mixxengine.h"

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

namespace mixx {

// ---- errors ---------------------------------------------------------------------------------------------

// A negative mixx_error code with its text. Thrown by the throwing calls below; never on the audio thread.
class error : public std::runtime_error {
public:
    error(int code, const std::string &what)
        : std::runtime_error(what.empty() ? std::string(mixx_strerror(code)) : what + ": " + mixx_strerror(code)),
          code_(code)
    {
    }
    int code() const noexcept { return code_; }
    const char *name() const noexcept { return mixx_error_name(code_); } // "MIXX_EINVAL" ...

private:
    int code_;
};

// Throws mixx::error when rc is not MIXX_OK. Any thread except the audio thread.
inline void check(int rc, const char *what = "")
{
    if (rc != MIXX_OK)
        throw error(rc, what);
}

// Expected-style result for code that does not use exceptions: a value or a negative mixx_error code.
template <class T> class result {
public:
    result(T value) : v_(std::move(value)) {}
    static result failure(int code) { return result(code, 0); }
    bool ok() const noexcept { return v_.index() == 0; }
    explicit operator bool() const noexcept { return ok(); }
    int code() const noexcept { return ok() ? MIXX_OK : std::get<1>(v_); } // MIXX_OK or the error
    const char *message() const noexcept { return mixx_strerror(code()); }
    // The value; throws mixx::error if this holds an error.
    T &value() &
    {
        if (!ok())
            throw error(code(), "");
        return std::get<0>(v_);
    }
    T &&value() && { return std::move(value()); }
    T *operator->() { return &value(); }
    T &operator*() & { return value(); }

private:
    result(int code, int) : v_(std::in_place_index<1>, code) {}
    std::variant<T, int> v_;
};

// ---- span-like views --------------------------------------------------------------------------------------

// A pointer and a length (std::span is C++20). Converts from C arrays, std::array and std::vector.
template <class T> class span {
public:
    constexpr span() noexcept = default;
    constexpr span(T *data, std::size_t size) noexcept : data_(data), size_(size) {}
    // U converts to T when only const is added (float * -> const float *const); never a derived-to-base
    template <class U> static constexpr bool compatible = std::is_convertible_v<U *, T *> && sizeof(U) == sizeof(T);
    template <class U, std::size_t N, class = std::enable_if_t<compatible<U>>>
    constexpr span(U (&a)[N]) noexcept : data_(a), size_(N)
    {
    }
    template <class U, std::size_t N, class = std::enable_if_t<compatible<U>>>
    constexpr span(std::array<U, N> &a) noexcept : data_(a.data()), size_(N)
    {
    }
    template <class U, class A, class = std::enable_if_t<compatible<U>>>
    span(std::vector<U, A> &v) noexcept : data_(v.data()), size_(v.size())
    {
    }
    template <class U, class = std::enable_if_t<compatible<U> && !std::is_same_v<U, T>>>
    constexpr span(span<U> o) noexcept : data_(o.data()), size_(o.size())
    {
    }
    constexpr T *data() const noexcept { return data_; }
    constexpr std::size_t size() const noexcept { return size_; }
    constexpr bool empty() const noexcept { return size_ == 0; }
    constexpr T &operator[](std::size_t i) const noexcept { return data_[i]; }
    constexpr T *begin() const noexcept { return data_; }
    constexpr T *end() const noexcept { return data_ + size_; }

private:
    T *data_ = nullptr;
    std::size_t size_ = 0;
};

// One audio cycle as the audio callback sees it. out(ch) already holds a copy of in(ch) (pass-through).
struct audio_block {
    const float *const *in_ptrs;
    uint32_t n_in;
    float *const *out_ptrs;
    uint32_t n_out;
    uint32_t frames;
    span<const float> in(uint32_t ch) const noexcept { return {in_ptrs[ch], frames}; }
    span<float> out(uint32_t ch) const noexcept { return {out_ptrs[ch], frames}; }
};

// ---- configuration ---------------------------------------------------------------------------------------

// Builder over mixx_config: starts from the library's defaults, owns its strings, never throws while
// building (except backend(name)); validation happens in validate() or when an engine is created. raw()
// reaches every field. A plain value: any thread, one thread at a time.
class config {
public:
    config() { mixx_config_init(&c_, sizeof c_); }
    config &backend(mixx_backend b) { c_.backend = b; return *this; }
    // Throws mixx::error(MIXX_EBACKEND) for a name the library does not know.
    config &backend(const std::string &name)
    {
        check(mixx_backend_from_name(name.c_str(), &c_.backend), "backend name");
        return *this;
    }
    config &sample_rate(uint32_t hz) { c_.sample_rate = hz; return *this; }
    config &buffer_size(uint32_t frames) { c_.buffer_size = frames; return *this; }
    config &max_buffer_size(uint32_t frames) { c_.max_buffer_size = frames; return *this; }
    config &channels(uint32_t inputs, uint32_t outputs) { c_.inputs = inputs; c_.outputs = outputs; return *this; }
    config &strict(bool on) { c_.strict = on; return *this; }
    config &instrument(bool on) { c_.instrument = on; return *this; }
    config &rt_priority(int prio) { c_.rt_priority = prio; return *this; }
    config &log_path(std::string path) { log_path_ = std::move(path); return *this; }
    config &device(std::string name) { device_ = std::move(name); return *this; }
    config &client_name(std::string name) { client_name_ = std::move(name); return *this; }
    config &self_loop(bool on) { c_.jack.self_loop = on; return *this; }
    // The per-cycle DSP hook: any callable taking (const mixx::audio_block &). Runs on the audio thread:
    // it must be realtime-safe (no allocation, lock, I/O). An exception it throws is caught at the C boundary,
    // the cycle's outputs are silenced and engine::callback_exceptions() counts it.
    template <class F> config &on_audio(F &&fn)
    {
        audio_ = std::forward<F>(fn);
        return *this;
    }
    // Once per second of audio, on the monitor thread (may block, allocate, print). Exceptions: as on_audio.
    template <class F> config &on_second(F &&fn)
    {
        second_ = std::forward<F>(fn);
        return *this;
    }
    // Every C field, for what the builder does not name. Strings set here must outlive engine creation;
    // the builder's own log_path/device/client_name take precedence when set. raw().audio_cb, second_cb,
    // records_cb and user are the C way to the same hooks: with on_audio/on_second they are replaced, and a
    // records_cb beside them is refused (MIXX_EINVAL), since both would need `user`.
    mixx_config &raw() noexcept { return c_; }
    const mixx_config &raw() const noexcept { return c_; }
    // 0 or the first parameter error (mixx_config_validate). Any thread.
    int validate() const noexcept
    {
        mixx_config c = c_api();
        return mixx_config_validate(&c);
    }
    // The C struct with pointers into this builder's strings: valid while this builder lives, unchanged.
    mixx_config c_api() const noexcept
    {
        mixx_config c = c_;
        if (log_path_)
            c.log_path = log_path_->c_str();
        if (device_)
            c.device = device_->c_str();
        if (client_name_)
            c.jack.client_name = client_name_->c_str();
        return c;
    }

private:
    friend class engine;
    mixx_config c_;
    std::optional<std::string> log_path_, device_, client_name_;
    std::function<void(const audio_block &)> audio_;
    std::function<void(const mixx_second &)> second_;
};

// ---- the engine -------------------------------------------------------------------------------------------

// Owns one mixx_engine; move-only; the destructor stops and destroys it. Control-thread calls throw
// mixx::error; process() and report_xruns() never throw (they run on the audio thread).
class engine {
public:
    // Creates a stopped engine. Throws mixx::error (the codes of mixx_engine_create). Control thread only.
    explicit engine(const config &cfg) : cbs_(std::make_unique<callbacks>())
    {
        check(init(cfg), "mixx_engine_create");
    }
    // Same without exceptions: the engine or the error code. Control thread only.
    static result<engine> create(const config &cfg)
    {
        engine e;
        e.cbs_ = std::make_unique<callbacks>();
        int rc = e.init(cfg);
        if (rc != MIXX_OK)
            return result<engine>::failure(rc);
        return result<engine>(std::move(e));
    }
    engine(engine &&o) noexcept : h_(std::exchange(o.h_, nullptr)), cbs_(std::move(o.cbs_)) {}
    engine &operator=(engine &&o) noexcept
    {
        if (this != &o) {
            mixx_engine_destroy(h_);
            h_ = std::exchange(o.h_, nullptr);
            cbs_ = std::move(o.cbs_);
        }
        return *this;
    }
    engine(const engine &) = delete;
    engine &operator=(const engine &) = delete;
    // Stops if running, then frees; the callables are released after the C engine is gone.
    ~engine() { mixx_engine_destroy(h_); }

    // Control thread only. Throw mixx::error with the codes of mixx_engine_start_stream / _stop_stream; the
    // message carries mixx_engine_last_error() when the backend gave detail.
    void start() { check_detail(mixx_engine_start_stream(h_), "start"); }
    void stop() { check_detail(mixx_engine_stop_stream(h_), "stop"); }
    int try_start() noexcept { return mixx_engine_start_stream(h_); }
    int try_stop() noexcept { return mixx_engine_stop_stream(h_); }

    // Hosted mode, from the host's audio callback. Audio thread, realtime-safe, noexcept: returns 0 or the
    // codes of mixx_engine_process. `in` and `out` may be the same buffers.
    int process(span<const float *const> in, span<float *const> out, uint32_t frames) noexcept
    {
        return mixx_engine_process(h_, in.data(), static_cast<uint32_t>(in.size()), out.data(),
                                   static_cast<uint32_t>(out.size()), frames);
    }
    // In-place form (JUCE's AudioBuffer::getArrayOfWritePointers()): the same channels in and out.
    int process(span<float *const> io, uint32_t frames) noexcept
    {
        return mixx_engine_process(h_, io.data(), static_cast<uint32_t>(io.size()), io.data(),
                                   static_cast<uint32_t>(io.size()), frames);
    }
    // Any thread; realtime-safe.
    int report_xruns(uint32_t count) noexcept { return mixx_engine_report_xruns(h_, count); }

    // Control thread only; throw mixx::error.
    mixx_stats stats() const
    {
        mixx_stats s{};
        check(mixx_engine_get_stats(h_, &s, sizeof s), "stats");
        return s;
    }
    mixx_config actual_config() const
    {
        mixx_config c{};
        check(mixx_engine_get_config(h_, &c, sizeof c), "get_config");
        return c;
    }
    std::vector<mixx_hist_bin> histogram(mixx_hist_kind kind) const
    {
        std::size_t n = 0;
        check(mixx_engine_histogram(h_, kind, nullptr, 0, &n), "histogram");
        std::vector<mixx_hist_bin> bins(n);
        for (;;) { // a bin may fill in between the two calls
            check(mixx_engine_histogram(h_, kind, bins.data(), bins.size(), &n), "histogram");
            if (n <= bins.size())
                break;
            bins.resize(n);
        }
        bins.resize(n);
        return bins;
    }
    // The round-trip latency meter on the running engine (see mixxengine.h). Control thread only; throw
    // mixx::error with the codes of mixx_engine_rtl_start / _wait / _stop / _summary.
    void rtl_start(mixx_rtl_method method = MIXX_RTL_MULTITONE, uint32_t channel = 0, bool continuous = false)
    {
        check(mixx_engine_rtl_start(h_, method, channel, continuous ? 1 : 0), "rtl_start");
    }
    // The next finished measurement, or nothing if none within timeout_ms.
    std::optional<mixx_rtl_result> rtl_wait(uint32_t timeout_ms)
    {
        mixx_rtl_result r{};
        int rc = mixx_engine_rtl_wait(h_, &r, timeout_ms);
        if (rc == MIXX_ETIMEDOUT)
            return std::nullopt;
        check(rc, "rtl_wait");
        return r;
    }
    void rtl_stop() { check(mixx_engine_rtl_stop(h_), "rtl_stop"); }
    mixx_rtl_summary rtl_summary() const
    {
        mixx_rtl_summary s{};
        check(mixx_engine_rtl_summary(h_, &s), "rtl_summary");
        return s;
    }
    std::string last_error() const { return mixx_engine_last_error(h_); }
    // Exceptions the callables threw (caught at the C boundary). Any thread.
    uint64_t callback_exceptions() const noexcept
    {
        return cbs_ ? cbs_->exceptions.load(std::memory_order_relaxed) : 0;
    }
    mixx_engine *handle() const noexcept { return h_; } // for the rest of the C API; still owned here

private:
    struct callbacks {
        std::function<void(const audio_block &)> audio;
        std::function<void(const mixx_second &)> second;
        std::atomic<uint64_t> exceptions{0};
    };
    engine() = default;

    int init(const config &cfg)
    {
        mixx_config c = cfg.c_api(); // strings are copied by mixx_engine_create
        cbs_->audio = cfg.audio_;
        cbs_->second = cfg.second_;
        if (cbs_->audio || cbs_->second) {
            if (c.records_cb)
                return MIXX_EINVAL; // it would receive our `user`, not the one it was written for
            c.user = cbs_.get(); // heap, so a moved engine keeps the address the C side holds
            c.audio_cb = cbs_->audio ? &audio_trampoline : nullptr;
            c.second_cb = cbs_->second ? &second_trampoline : nullptr;
        }
        return mixx_engine_create(&c, &h_);
    }
    void check_detail(int rc, const char *what) const
    {
        if (rc == MIXX_OK)
            return;
        std::string detail = h_ ? mixx_engine_last_error(h_) : "";
        throw error(rc, detail.empty() ? std::string(what) : std::string(what) + " (" + detail + ")");
    }
    // No exception may cross into C: catch everything, silence the cycle, count.
    static void audio_trampoline(const float *const *in, uint32_t n_in, float *const *out, uint32_t n_out,
                                 uint32_t n_frames, void *user) noexcept
    {
        auto *cb = static_cast<callbacks *>(user);
        try {
            cb->audio(audio_block{in, n_in, out, n_out, n_frames});
        } catch (...) {
            for (uint32_t ch = 0; ch < n_out; ch++)
                for (uint32_t i = 0; i < n_frames; i++)
                    out[ch][i] = 0.0f;
            cb->exceptions.fetch_add(1, std::memory_order_relaxed);
        }
    }
    static void second_trampoline(const mixx_second *s, void *user) noexcept
    {
        auto *cb = static_cast<callbacks *>(user);
        try {
            cb->second(*s);
        } catch (...) {
            cb->exceptions.fetch_add(1, std::memory_order_relaxed);
        }
    }

    mixx_engine *h_ = nullptr;
    std::unique_ptr<callbacks> cbs_;
};

// "1.2.3" of the linked library. Any thread.
inline const char *version_string() noexcept { return mixx_version_string(); }

} // namespace mixx

#endif // MIXXENGINE_HPP
