#!/usr/bin/env python3
"""Static checks of deploy/ (no container engine or cluster on the build machine).

    check_deploy.py REPO_ROOT [TOUCHLINE_SERVER_BINARY]

Dockerfile: multi-stage from ${BASE} (default debian:bookworm-slim), no -dev or compiler packages in the runtime
stage, which installs a Debian package for every shared library the built server links (ldd, dpkg -S),
non-root USER, gRPC HEALTHCHECK, exec form. systemd unit: `systemd-analyze verify` when available,
and the hardening directives. Example environment file: the variables the unit and image use.
Kubernetes manifest: parses (python3-yaml), a PVC, one replica with Recreate, gRPC liveness and
readiness probes on the container port, non-root security context, the volume mounted from the PVC.
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

import yaml

ROOT = sys.argv[1]
SERVER = sys.argv[2] if len(sys.argv) > 2 else None
failures = []
passes = 0


def expect(cond, what):
    global passes
    if cond:
        passes += 1
    else:
        failures.append(what)
        print("FAIL:", what)


def read(rel):
    with open(os.path.join(ROOT, rel), encoding="utf-8") as f:
        return f.read()


# ---------------------------------------------------------------- Dockerfile
docker = read("deploy/Dockerfile")
logical = re.sub(r"\\\n", " ", docker)  # join continuation lines
lines = [l.strip() for l in logical.splitlines() if l.strip() and not l.strip().startswith("#")]
stages = []  # [(from_line, [instructions])]
global_args = {}  # ARGs before the first FROM (usable in FROM lines)
for l in lines:
    if l.upper().startswith("FROM "):
        stages.append((l, []))
    elif stages:
        stages[-1][1].append(l)
    elif l.upper().startswith("ARG "):
        name, _, default = l.split(None, 1)[1].partition("=")
        global_args[name.strip()] = default.strip()
expect(len(stages) >= 2, "Dockerfile is multi-stage")
# The base is a build argument (a local debootstrap image in tests/deploy/container_image.sh)
# whose default is Docker Hub's Debian 12 slim image.
expect(global_args.get("BASE") == "debian:bookworm-slim", "ARG BASE=debian:bookworm-slim before the first FROM")
expect(all(re.match(r"FROM (debian:bookworm-slim|\$\{BASE\}|\$BASE)( AS \w+)?$", s[0], re.I) for s in stages),
       "every stage FROM ${BASE} (debian:bookworm-slim)")
runtime = stages[-1][1] if stages else []


def apt_packages(instrs):
    pkgs = []
    for i in instrs:
        for m in re.finditer(r"apt-get install ([^&;]*)", i):
            pkgs += [w for w in m.group(1).split() if not w.startswith("-")]
    return pkgs


runtime_pkgs = apt_packages(runtime)
expect(runtime_pkgs, "runtime stage installs its packages with apt-get")
expect(not [p for p in runtime_pkgs if p.endswith("-dev") or p in
            ("build-essential", "cmake", "gcc", "g++", "protobuf-compiler", "protobuf-compiler-grpc")],
       "runtime stage installs no -dev or build packages: %s" % runtime_pkgs)
expect(any(i.startswith("COPY --from=") for i in runtime), "runtime stage copies from the build stage")
# The SDK's and developers' install components (headers, CMake packages, .proto files) stay out
# of the image: the build stage installs the default component only.
build_stage = [i for s in stages[:-1] for i in s[1]]
expect(any(re.search(r"cmake --install \S+ --component Unspecified", i) for i in build_stage),
       "build stage installs only the default component (cmake --install --component Unspecified)")
users = [i.split()[1] for i in runtime if i.upper().startswith("USER ")]
expect(users and users[-1].split(":")[0] not in ("root", "0"), "runtime runs as a non-root USER")
hc = [i for i in runtime if i.upper().startswith("HEALTHCHECK ")]
expect(hc and "health" in hc[0] and "CMD" in hc[0], "gRPC HEALTHCHECK through `touchline health`")
expect(any(i.upper().startswith("ENTRYPOINT [") and "exec touchline-server" in i for i in runtime),
       "ENTRYPOINT execs touchline-server (PID 1 gets SIGTERM)")
expect(any(i.upper().startswith("EXPOSE 50051") for i in runtime), "EXPOSE 50051")
expect(any("rm -rf /var/lib/apt/lists" in i for i in runtime), "apt lists removed in runtime stage")
# absl's --help exits 1, which would fail the image build; --version exits 0.
expect(not any(i.startswith("RUN") and "touchline-server --help" in i for i in runtime),
       "no `touchline-server --help` in a RUN (exits 1)")
ignore = read(".dockerignore").split()
expect("build" in ignore and ".git" in ignore, ".dockerignore keeps build/ and .git out of the context")
expect(any(p.endswith(".token") for p in ignore), ".dockerignore keeps tokens out of the context")

if SERVER and shutil.which("ldd") and shutil.which("dpkg"):
    out = subprocess.run(["ldd", SERVER], capture_output=True, text=True).stdout
    base = {"libc6", "libstdc++6", "libgcc-s1", "zlib1g", "libcrypt1"}  # in bookworm-slim already
    needed = set()
    libs = {}  # as linked -> candidate paths dpkg may know it by (usrmerge)
    for line in out.splitlines():
        m = re.search(r"=> (/\S+)", line)
        if not m or "touchline_proto" in m.group(1):
            continue
        path = os.path.realpath(m.group(1))
        libs[m.group(1)] = {m.group(1), path, path.replace("/usr/lib/", "/lib/", 1),
                            path.replace("/lib/", "/usr/lib/", 1)}
    owners = {}  # path -> package, from one dpkg -S call
    every = sorted(set().union(*libs.values())) if libs else []
    r = subprocess.run(["dpkg", "-S"] + every, capture_output=True, text=True)
    for line in r.stdout.splitlines():
        if ": " in line:
            pkg, path = line.split(": ", 1)
            owners[path.strip()] = pkg.split(":")[0].split(",")[0].strip()
    for lib, candidates in sorted(libs.items()):
        owner = next((owners[c] for c in candidates if c in owners), None)
        expect(owner is not None, "library %s belongs to a Debian package" % lib)
        if owner and owner not in base:
            needed.add(owner)
    # What apt brings with the named packages counts (libpq5 brings Kerberos, LDAP, GnuTLS ...):
    # the closure of their dependencies as this Debian installed them.
    covered = set(runtime_pkgs)
    todo = list(runtime_pkgs)
    while todo:
        r = subprocess.run(["dpkg-query", "-W", "-f=${Depends},${Pre-Depends}", todo.pop()],
                           capture_output=True, text=True)
        for dep in re.split(r"[,|]", r.stdout):
            name = dep.strip().split(" ")[0].split(":")[0]
            if name and name not in covered:
                covered.add(name)
                todo.append(name)
    missing = sorted(needed - covered)
    expect(not missing, "runtime stage installs every package the server links: missing %s" % missing)
    print("server links packages:", " ".join(sorted(needed)))

# ---------------------------------------------------------------- systemd unit
unit = read("deploy/touchline.service")
directives = {}
for l in unit.splitlines():
    if "=" in l and not l.lstrip().startswith(("#", ";", "[")):
        k, v = l.split("=", 1)
        directives.setdefault(k.strip(), []).append(v.strip())
for key, value in [("NoNewPrivileges", "yes"), ("ProtectSystem", "strict"), ("ProtectHome", "yes"),
                   ("PrivateTmp", "yes"), ("StateDirectory", "touchline"), ("DynamicUser", "yes"),
                   ("RestrictSUIDSGID", "yes"), ("CapabilityBoundingSet", "")]:
    expect(directives.get(key, [None])[-1] == value, "unit has %s=%s" % (key, value))
expect("User" in directives, "unit runs as a dedicated User")
expect("--db=${TOUCHLINE_DB}" in directives.get("ExecStart", [""])[0], "unit passes --db from the env file")
expect(directives.get("EnvironmentFile", [""])[0].endswith("touchline.env"), "unit reads touchline.env")
if shutil.which("systemd-analyze"):
    with tempfile.TemporaryDirectory() as tmp:
        copy = os.path.join(tmp, "touchline.service")
        # verify checks that ExecStart's binary exists: point it at one that does.
        with open(copy, "w", encoding="utf-8") as f:
            f.write(unit.replace("/usr/bin/touchline-server", SERVER or "/bin/true"))
        r = subprocess.run(["systemd-analyze", "verify", copy], capture_output=True, text=True)
        expect(r.returncode == 0 and not r.stderr.strip(),
               "systemd-analyze verify: rc %d %s" % (r.returncode, r.stderr.strip()))
        r = subprocess.run(["systemd-analyze", "security", "--offline=yes", copy],
                           capture_output=True, text=True)
        m = re.search(r"Overall exposure level for \S+: ([0-9.]+)", r.stdout)
        expect(m and float(m.group(1)) <= 3.0, "systemd-analyze security exposure <= 3: %s" % r.stdout[-200:])
        if m:
            print("systemd-analyze security: exposure", m.group(1))
else:
    print("systemd-analyze not available: unit checked by directives only")

# ---------------------------------------------------------------- example configuration
env = read("deploy/touchline.env.example")
env_vars = dict(l.split("=", 1) for l in env.splitlines() if "=" in l and not l.startswith("#"))
for v in ("TOUCHLINE_LISTEN", "TOUCHLINE_DB", "TOUCHLINE_FLAGS"):
    expect(v in env_vars, "touchline.env.example sets %s" % v)
    expect(v in unit and v in docker, "%s used by the unit and the Dockerfile" % v)
expect(env_vars.get("TOUCHLINE_DB", "").startswith("/var/lib/touchline/"),
       "example database in the StateDirectory")
if SERVER:
    # Every flag in the example is one the server knows.
    helptext = subprocess.run([SERVER, "--helpfull"], capture_output=True, text=True)
    known = set(re.findall(r"--([a-z_]+)", helptext.stdout + helptext.stderr))
    for flag in re.findall(r"--([a-z_]+)", env):
        expect(flag in known, "touchline-server knows --%s" % flag)

# ---------------------------------------------------------------- Kubernetes
docs = [d for d in yaml.safe_load_all(read("deploy/kubernetes/touchline.yaml")) if d]
kinds = {d["kind"]: d for d in docs}
for d in docs:
    expect("apiVersion" in d and "metadata" in d and "name" in d["metadata"], "%s has apiVersion and name" % d.get("kind"))
pvc = kinds.get("PersistentVolumeClaim")
expect(pvc and pvc["spec"]["resources"]["requests"]["storage"], "a PersistentVolumeClaim with storage")
work = kinds.get("Deployment") or kinds.get("StatefulSet")
expect(work is not None, "a Deployment or StatefulSet")
if work:
    spec = work["spec"]
    expect(spec.get("replicas") == 1, "one replica (SQLite has one writer)")
    if work["kind"] == "Deployment":
        expect(spec.get("strategy", {}).get("type") == "Recreate", "Recreate strategy")
    pod = spec["template"]["spec"]
    expect(spec["selector"]["matchLabels"].items() <= spec["template"]["metadata"]["labels"].items(),
           "selector matches the pod labels")
    expect(pod.get("securityContext", {}).get("runAsNonRoot") is True, "pod runs as non-root")
    c = pod["containers"][0]
    ports = {p["containerPort"] for p in c["ports"]}
    for probe in ("livenessProbe", "readinessProbe"):
        expect(probe in c and "grpc" in c[probe] and c[probe]["grpc"]["port"] in ports,
               "%s is a grpc probe on a container port" % probe)
    claims = {v["name"]: v["persistentVolumeClaim"]["claimName"] for v in pod["volumes"]
              if "persistentVolumeClaim" in v}
    mounts = {m["name"]: m["mountPath"] for m in c["volumeMounts"]}
    expect(pvc and pvc["metadata"]["name"] in claims.values(), "the pod uses the PVC")
    cm = kinds.get("ConfigMap", {}).get("data", {})
    db = cm.get("TOUCHLINE_DB", "")
    expect(any(n in claims and db.startswith(p + "/") for n, p in mounts.items()),
           "the database is on the PVC mount")
    expect(c.get("securityContext", {}).get("allowPrivilegeEscalation") is False, "no privilege escalation")
    expect("startupProbe" in c and "grpc" in c["startupProbe"],
           "a grpc startupProbe (start-up may take long on a big database)")
    # The pod's stop: Kubernetes waits terminationGracePeriodSeconds before SIGKILL.
    grace = re.search(r"--shutdown_grace_seconds=(\d+)", cm.get("TOUCHLINE_FLAGS", ""))
    expect(grace and pod.get("terminationGracePeriodSeconds", 30) > int(grace.group(1)),
           "terminationGracePeriodSeconds exceeds the server's shutdown grace")
    # The image the manifest runs is the one the README builds, at the project's version.
    version = re.search(r"project\(Touchline VERSION ([0-9.]+)", read("CMakeLists.txt")).group(1)
    expect(c["image"] == "touchline:" + version, "the manifest runs touchline:%s (the project version)" % version)
    expect("-t touchline:%s " % version in read("README.md"), "the README builds touchline:%s" % version)
svc = kinds.get("Service")
expect(svc and svc["spec"]["ports"][0]["port"] == 50051, "a Service on 50051")

# The image's stop: docker/podman wait 10 s by default; the image's shutdown grace must end first.
image_grace = re.search(r"--shutdown_grace_seconds=(\d+)", read("deploy/Dockerfile"))
expect(image_grace and int(image_grace.group(1)) < 10,
       "the image's --shutdown_grace_seconds is below docker's 10 s stop timeout")
for pattern in ("*.audit", "*.pseudonym-key", "*.jsonl", "*.csv"):
    expect(pattern in ignore, ".dockerignore keeps %s out of the context" % pattern)

print("check_deploy: %d passed, %d failed" % (passes, len(failures)))
sys.exit(1 if failures else 0)
