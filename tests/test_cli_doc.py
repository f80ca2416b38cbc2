#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# test_cli_doc.py: the CLI's help, man page and bash completion, all generated from tools/cli_doc.c, are complete:
# every command answers --help, -h and `mixx help CMD`; every option the parsers in tools/ accept is in the table
# and in the help of the commands that take it; the man page renders without warnings; the completion is valid
# bash and completes commands and options. Usage: test_cli_doc.py MIXX SOURCE_DIR
import os
import re
import shutil
import subprocess
import sys

mixx, src = sys.argv[1], sys.argv[2]
failures = []


def bad(msg):
    failures.append(msg)
    print("FAIL:", msg)


def run(*args, stdin=None):
    p = subprocess.run([mixx, *args], capture_output=True, text=True, input=stdin, timeout=30)
    return p.returncode, p.stdout, p.stderr


rc, usage, err = run("--help")
if rc != 0:
    bad(f"mixx --help exited {rc}: {err}")
rc, all_opts, err = run("--print-options")
all_opts = all_opts.split()
commands = re.findall(r"^  (\w+) ", usage.split("commands:")[1].split("\n\n")[0], re.M)
expected_cmds = {"run", "devices", "latency", "ladder", "stability", "report", "bench", "native", "params"}
if not expected_cmds <= set(commands):
    bad(f"mixx --help lists commands {commands}, expected at least {sorted(expected_cmds)}")
for o in all_opts:
    if o not in usage:
        bad(f"mixx --help does not mention {o}")
for o in ("--allow-server-change", "--continuous", "--baseline", "--force"):
    if o not in all_opts:
        bad(f"{o} is not in the option table")

helps = {}
for c in commands:
    outs = []
    for form in ([c, "--help"], [c, "-h"], ["help", c]):
        rc, out, err = run(*form)
        if rc != 0:
            bad(f"mixx {' '.join(form)} exited {rc}: {err.strip()}")
        outs.append(out)
    if len(set(outs)) != 1:
        bad(f"mixx {c} --help, -h and mixx help {c} differ")
    helps[c] = outs[0]
    if not outs[0].startswith(f"usage: mixx {c}"):
        bad(f"mixx {c} --help does not start with its usage line: {outs[0][:80]!r}")
    rc, opts, err = run("--print-options", c)
    for o in opts.split():
        if o not in outs[0]:
            bad(f"mixx {c} --help does not mention {o}")
rc, out, err = run("help", "nosuchcommand")
if rc != 2:
    bad(f"mixx help nosuchcommand exited {rc}, expected 2")
for c in ("latency", "stability"):
    if "JSON Lines" not in helps.get(c, ""):
        bad(f"mixx {c} --help does not say its line-per-record output is JSON Lines")

# every option literal a parser in tools/ compares against must be documented for that command
lit = re.compile(r'"(--[a-z][a-z0-9-]*)')
cmd_opts = {c: set(run("--print-options", c)[1].split()) for c in commands}
for name in sorted(os.listdir(os.path.join(src, "tools"))):
    m = re.fullmatch(r"cmd_(\w+)\.c", name)
    if not (m or name == "cli.c"):
        continue
    text = open(os.path.join(src, "tools", name), encoding="utf-8").read()
    owner = m.group(1) if m else "run"  # cli.c: the engine options every engine command takes
    also = {"params": "bench"}.get(owner)  # cmd_params.c also parses `mixx bench params`
    for o in sorted(set(lit.findall(text))):
        if owner in cmd_opts and o not in cmd_opts[owner] and o not in cmd_opts.get(also, ()):
            bad(f"tools/{name} parses {o} but the table in tools/cli_doc.c does not list it for '{owner}'")

# man page
rc, man, err = run("--print-man")
if rc != 0:
    bad(f"mixx --print-man exited {rc}")
for must in (".TH MIXX 1", ".SH NAME", ".SH SYNOPSIS", ".SH COMMANDS", ".SH EXIT STATUS"):
    if must not in man:
        bad(f"man page lacks {must}")
for c in commands:
    if f'.SS "mixx {c}' not in man:
        bad(f"man page has no section for {c}")
if shutil.which("groff"):
    p = subprocess.run(["groff", "-man", "-Tutf8", "-ww", "-z"], input=man, capture_output=True, text=True)
    if p.returncode != 0 or p.stderr.strip():
        bad(f"groff warns about the man page: {p.stderr.strip()}")
    p = subprocess.run(["groff", "-man", "-Tutf8"], input=man, capture_output=True, text=True)
    plain = re.sub(r".\x08", "", p.stdout)
    for o in all_opts:
        if o not in plain.replace("\u2010", "-"):
            bad(f"rendered man page does not show {o}")
else:
    print("groff not installed: checked the man page's structure only")

# bash completion
rc, comp, err = run("--print-completion", "bash")
if rc != 0:
    bad(f"mixx --print-completion bash exited {rc}")
p = subprocess.run(["bash", "-n"], input=comp, capture_output=True, text=True)
if p.returncode != 0:
    bad(f"bash -n rejects the completion script: {p.stderr}")


def complete(words):
    script = comp + "\nCOMP_WORDS=(%s)\nCOMP_CWORD=%d\n_mixx\nprintf '%%s\\n' \"${COMPREPLY[@]}\"\n" % (
        " ".join("'%s'" % w for w in words), len(words) - 1)
    p = subprocess.run(["bash", "-c", script], capture_output=True, text=True)
    if p.returncode != 0:
        bad(f"completion of {words} failed: {p.stderr}")
    return set(p.stdout.split())


got = complete(["mixx", ""])
if not set(commands) <= got:
    bad(f"completing 'mixx ' offers {sorted(got)}, missing {sorted(set(commands) - got)}")
if complete(["mixx", "la"]) != {"latency", "ladder"}:
    bad(f"completing 'mixx la' offers {sorted(complete(['mixx', 'la']))}")
if "--allow-server-change" not in complete(["mixx", "ladder", "--al"]):
    bad("completing 'mixx ladder --al' does not offer --allow-server-change")
if complete(["mixx", "run", "--backend", ""]) != {"sim", "jack", "portaudio"}:
    bad(f"completing '--backend ' offers {sorted(complete(['mixx', 'run', '--backend', '']))}")
for c in commands:
    if not cmd_opts[c] <= complete(["mixx", c, "--"]):
        bad(f"completing 'mixx {c} --' misses {sorted(cmd_opts[c] - complete(['mixx', c, '--']))}")

if failures:
    print(f"{len(failures)} failure(s)")
    sys.exit(1)
print(f"ok: {len(commands)} commands, {len(all_opts)} options in help, man page and completion")
