/* SPDX-License-Identifier: GPL-3.0-only */
// HostPreset.cpp: preset files (see HostPreset.h): the engine's JSON state, written through a temporary file and
// rename(2) so a reader sees the old file or the new one, never half of one; a symlink at the target is refused.
#include "HostPreset.h"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace mixxhost
{

static std::string sysError (const std::string& what, const std::string& path)
{
    return what + " " + path + ": " + std::strerror (errno);
}

static bool writeAll (int fd, const char* p, size_t n)
{
    while (n > 0)
    {
        const ssize_t w = ::write (fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return false;
        p += w;
        n -= (size_t) w;
    }
    return true;
}

std::string savePresetFile (const mixx_engine* e, const std::string& path)
{
    if (path.empty())
        return "no preset file name";
    size_t len = 0;
    std::vector<char> buf (64 * 1024);
    int rc = mixx_params_save (e, buf.data(), buf.size(), &len);
    if (rc == MIXX_ENOMEM)
    {
        buf.resize (len + 1);
        rc = mixx_params_save (e, buf.data(), buf.size(), &len);
    }
    if (rc != 0)
        return std::string ("cannot save the parameters: ") + mixx_strerror (rc);

    struct stat st {};
    if (::lstat (path.c_str(), &st) == 0 && S_ISLNK (st.st_mode))
        return "refusing to write the preset through a symlink: " + path;
    std::string tmp = path + ".tmp.XXXXXX";
    std::vector<char> tmpl (tmp.begin(), tmp.end());
    tmpl.push_back ('\0');
    const int fd = ::mkstemp (tmpl.data()); // O_EXCL: never follows a planted link
    if (fd < 0)
        return sysError ("cannot create a temporary file beside", path);
    tmp = tmpl.data();
    ::fchmod (fd, 0644); // mkstemp's 0600 would make a preset private to its writer
    bool ok = writeAll (fd, buf.data(), len) && writeAll (fd, "\n", 1) && ::fsync (fd) == 0;
    const int savedErrno = errno;
    if (::close (fd) != 0 && ok)
        ok = false;
    if (! ok)
    {
        ::unlink (tmp.c_str());
        errno = savedErrno;
        return sysError ("cannot write", path);
    }
    // checked again right before the rename: rename(2) replaces a symlink itself, never its target, but a link
    // planted meanwhile is still not what the user asked to overwrite
    if (::lstat (path.c_str(), &st) == 0 && S_ISLNK (st.st_mode))
    {
        ::unlink (tmp.c_str());
        return "refusing to write the preset through a symlink: " + path;
    }
    if (::rename (tmp.c_str(), path.c_str()) != 0)
    {
        const std::string err = sysError ("cannot rename the temporary file onto", path);
        ::unlink (tmp.c_str());
        return err;
    }
    return {};
}

std::string loadPresetFile (mixx_engine* e, const std::string& path)
{
    const int fd = ::open (path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return sysError ("cannot open", path);
    std::vector<char> text;
    constexpr size_t kMax = 4u << 20;
    char chunk[16384];
    for (;;)
    {
        const ssize_t n = ::read (fd, chunk, sizeof chunk);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
        {
            const std::string err = sysError ("cannot read", path);
            ::close (fd);
            return err;
        }
        if (n == 0)
            break;
        text.insert (text.end(), chunk, chunk + n);
        if (text.size() > kMax)
        {
            ::close (fd);
            return "preset " + path + " is larger than 4 MiB";
        }
    }
    ::close (fd);
    if (text.empty())
        return "preset " + path + " is empty (nothing changed)";
    const int rc = mixx_params_load (e, text.data(), text.size());
    if (rc != 0)
        return "cannot load preset " + path + ": " + mixx_strerror (rc) + " (nothing changed)";
    return {};
}

} // namespace mixxhost
