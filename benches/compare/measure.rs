//! One contender, one child process: wall time around it, and its CPU time
//! (user + system, its threads and any children it waited for) and peak
//! resident memory as the kernel accounted them, read with `wait4`.

use std::ffi::OsStr;
use std::io::{BufRead as _, BufReader, Write as _};
use std::path::Path;
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::time::{Duration, Instant};

#[derive(Clone, Copy, Debug)]
pub struct Sample {
    pub wall: Duration,
    pub cpu: Duration,
    /// Peak resident set size, in bytes.
    pub rss: u64,
    pub exit: i32,
}

/// Starts the contenders and reads their costs, from a process of its own.
///
/// Linux carries the peak resident memory of a process across `exec`: a
/// child's `ru_maxrss` is at least the peak of the address space it was
/// forked from. Children of the bench itself would all report the bench's
/// own peak (the cross-check holds tens of MiB), so they are started by a
/// launcher: the bench binary re-executed, which holds next to nothing and
/// runs one command per line read from its stdin.
pub struct Launcher {
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
}

impl Launcher {
    pub fn start(bench: &Path) -> Launcher {
        let mut child = Command::new(bench)
            .arg("launcher")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let stdin = child.stdin.take().unwrap();
        let stdout = BufReader::new(child.stdout.take().unwrap());
        Launcher {
            child,
            stdin,
            stdout,
        }
    }

    /// Runs `argv` with all three standard streams on /dev/null.
    pub fn run(&mut self, argv: &[&OsStr]) -> Sample {
        let line: Vec<&str> = argv
            .iter()
            .map(|a| {
                let a = a.to_str().unwrap();
                assert!(
                    !a.contains(['\t', '\n']),
                    "argument `{a}` holds a tab or newline"
                );
                a
            })
            .collect();
        writeln!(self.stdin, "{}", line.join("\t")).unwrap();
        self.stdin.flush().unwrap();
        let mut answer = String::new();
        self.stdout.read_line(&mut answer).unwrap();
        let fields: Vec<u64> = answer
            .split_whitespace()
            .map(|f| f.parse().unwrap())
            .collect();
        let [wall, cpu, rss, exit] = fields[..] else {
            panic!("the launcher answered `{answer}`");
        };
        Sample {
            wall: Duration::from_nanos(wall),
            cpu: Duration::from_nanos(cpu),
            rss,
            exit: i32::try_from(exit).unwrap_or(-1),
        }
    }
}

impl Drop for Launcher {
    fn drop(&mut self) {
        let _ = writeln!(self.stdin);
        let _ = self.child.wait();
    }
}

/// The launcher's side: one command a line (arguments separated by tabs)
/// until an empty line, one `wall_ns cpu_ns rss_bytes exit` line back.
pub fn launcher() {
    let mut out = std::io::stdout().lock();
    for line in std::io::stdin().lock().lines() {
        let line = line.unwrap();
        if line.is_empty() {
            break;
        }
        let mut argv = line.split('\t');
        let mut cmd = Command::new(argv.next().unwrap());
        cmd.args(argv).stdout(Stdio::null()).stderr(Stdio::null());
        let s = run(&mut cmd);
        let exit = u64::try_from(s.exit).unwrap_or(255);
        writeln!(
            out,
            "{} {} {} {exit}",
            s.wall.as_nanos(),
            s.cpu.as_nanos(),
            s.rss
        )
        .unwrap();
        out.flush().unwrap();
    }
}

/// Runs `cmd` with stdin from /dev/null, waits for it with `wait4`, and
/// returns what it cost.
fn run(cmd: &mut Command) -> Sample {
    cmd.stdin(Stdio::null());
    let start = Instant::now();
    let child = cmd
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {cmd:?}: {e}"));
    let pid = libc::pid_t::try_from(child.id()).unwrap();
    let mut status = 0;
    // SAFETY: `rusage` is plain old data; all zeroes is a valid value.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    loop {
        // SAFETY: `pid` is our own child, not yet reaped (the `Child` is
        // never waited on); both pointers are valid for the call.
        let got = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
        if got == pid {
            break;
        }
        let err = std::io::Error::last_os_error();
        assert!(
            err.kind() == std::io::ErrorKind::Interrupted,
            "wait4: {err}"
        );
    }
    let wall = start.elapsed();
    drop(child);
    let time = |t: libc::timeval| {
        Duration::from_secs(t.tv_sec as u64) + Duration::from_micros(t.tv_usec as u64)
    };
    let exit = if libc::WIFEXITED(status) {
        libc::WEXITSTATUS(status)
    } else {
        -libc::WTERMSIG(status)
    };
    Sample {
        wall,
        cpu: time(usage.ru_utime) + time(usage.ru_stime),
        // Linux reports kilobytes.
        rss: usage.ru_maxrss as u64 * 1024,
        exit,
    }
}

/// The median of each measure over several runs of one contender (the
/// peak memory is the largest seen).
#[derive(Clone, Copy, Debug)]
pub struct Summary {
    pub wall: Duration,
    pub cpu: Duration,
    pub rss: u64,
}

pub fn summarize(samples: &[Sample]) -> Summary {
    let median = |mut v: Vec<Duration>| {
        v.sort();
        v[v.len() / 2]
    };
    Summary {
        wall: median(samples.iter().map(|s| s.wall).collect()),
        cpu: median(samples.iter().map(|s| s.cpu).collect()),
        rss: samples.iter().map(|s| s.rss).max().unwrap_or(0),
    }
}
