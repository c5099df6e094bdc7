//! The emulator process: moto, provisioned into a cache on first use, started on a free
//! loopback port, waited for until healthy, and stopped at the end.

use std::net::{Ipv4Addr, SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use scpcheck_cache::InstallLock;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::process::{Child, Command};

/// The moto release the harness provisions and was measured against.
pub const MOTO_VERSION: &str = "5.2.1";

/// How long a started emulator may take to answer.
const START_TIMEOUT: Duration = Duration::from_secs(60);

/// How long an emulator the user runs may take to answer: it should be up already.
const EXTERNAL_TIMEOUT: Duration = Duration::from_secs(5);

/// Why the emulator is not available.
#[derive(Debug, thiserror::Error)]
pub enum EmulatorError {
    /// No Python interpreter was found.
    #[error("python 3 was not found on PATH (looked for `{tried}`)")]
    PythonMissing {
        /// The interpreter names tried.
        tried: String,
    },
    /// Creating the virtual environment or installing moto failed.
    #[error("installing moto {MOTO_VERSION} into `{dir}` failed: {detail}")]
    Install {
        /// The cache directory.
        dir: String,
        /// The installer's last words.
        detail: String,
    },
    /// The process could not be started or did not become healthy.
    #[error("the emulator did not start: {0}")]
    Start(String),
    /// The user's emulator did not answer.
    #[error("the emulator at `{url}` did not answer: {detail}")]
    Unreachable {
        /// The URL given.
        url: String,
        /// What happened.
        detail: String,
    },
    /// An I/O error around the cache or the process.
    #[error("{context}: {source}")]
    Io {
        /// What was being done.
        context: String,
        /// The error.
        source: std::io::Error,
    },
}

impl EmulatorError {
    /// Advice for the user, when there is any.
    pub fn help(&self) -> Option<&'static str> {
        match self {
            EmulatorError::PythonMissing { .. } => Some(
                "install Python 3 with its venv module (Debian: `apt-get install python3 \
                 python3-venv`), or run an emulator yourself and pass `--emulator-url URL`",
            ),
            EmulatorError::Install { .. } => {
                Some("check that the Python package index is reachable, then run again")
            }
            EmulatorError::Unreachable { .. } => Some(
                "check that the emulator runs and listens at that address, or leave out \
                 `--emulator-url` to let scpcheck start one",
            ),
            EmulatorError::Start(_) | EmulatorError::Io { .. } => None,
        }
    }
}

/// Where provisioned tools are kept; see [`scpcheck_cache::cache_dir`].
pub fn cache_dir() -> PathBuf {
    scpcheck_cache::cache_dir()
}

/// An installed moto: the `moto_server` executable of a virtual environment.
#[derive(Debug, Clone)]
pub struct MotoInstallation {
    server: PathBuf,
}

impl MotoInstallation {
    /// Finds moto in the cache, installing it there first if it is missing. Concurrent
    /// harness processes share one install: the first takes a lock file, the others wait.
    pub async fn provision(cache: &Path) -> Result<MotoInstallation, EmulatorError> {
        let venv = cache.join(format!("moto-{MOTO_VERSION}"));
        let server = venv.join("bin").join("moto_server");
        let installed = || scpcheck_cache::is_installed(&venv) && server.exists();
        if installed() {
            tracing::debug!(path = %server.display(), "moto already provisioned");
            return Ok(MotoInstallation { server });
        }

        let python = find_python().await?;
        let lock_path = cache.join(format!("moto-{MOTO_VERSION}.lock"));
        let _lock = acquire_install_lock(lock_path).await?;
        if installed() {
            return Ok(MotoInstallation { server });
        }
        tracing::info!(dir = %venv.display(), "installing moto {MOTO_VERSION} (first use)");
        let _ = std::fs::remove_dir_all(&venv);
        if let Err(error) = install_into(&python, &venv).await {
            let _ = std::fs::remove_dir_all(&venv);
            return Err(error);
        }
        scpcheck_cache::mark_installed(&venv, MOTO_VERSION).map_err(|source| {
            EmulatorError::Io {
                context: format!("cannot mark `{}` installed", venv.display()),
                source,
            }
        })?;
        Ok(MotoInstallation { server })
    }

    /// The `moto_server` executable.
    pub fn server_path(&self) -> &Path {
        &self.server
    }
}

/// Takes the install lock on a blocking thread, so that waiting for another process's install
/// does not hold up the runtime.
async fn acquire_install_lock(path: PathBuf) -> Result<InstallLock, EmulatorError> {
    let context = format!("cannot take the install lock `{}`", path.display());
    let taken = tokio::task::spawn_blocking(move || {
        InstallLock::acquire(&path, scpcheck_cache::DEFAULT_PATIENCE)
    })
    .await;
    match taken {
        Ok(Ok(lock)) => Ok(lock),
        Ok(Err(source)) => Err(EmulatorError::Io { context, source }),
        Err(join) => Err(EmulatorError::Io {
            context,
            source: std::io::Error::other(join),
        }),
    }
}

async fn find_python() -> Result<PathBuf, EmulatorError> {
    let candidates = ["python3", "python"];
    for name in candidates {
        let probe = Command::new(name)
            .args([
                "-c",
                "import sys, venv; sys.exit(0 if sys.version_info >= (3, 9) else 1)",
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .await;
        if matches!(probe, Ok(status) if status.success()) {
            return Ok(PathBuf::from(name));
        }
    }
    Err(EmulatorError::PythonMissing {
        tried: candidates.join("`, `"),
    })
}

async fn install_into(python: &Path, venv: &Path) -> Result<(), EmulatorError> {
    if let Some(parent) = venv.parent() {
        std::fs::create_dir_all(parent).map_err(|source| EmulatorError::Io {
            context: format!("cannot create `{}`", parent.display()),
            source,
        })?;
    }
    let venv_arg = venv.as_os_str();
    run_installer(
        venv,
        Command::new(python).arg("-m").arg("venv").arg(venv_arg),
    )
    .await?;
    let pip = venv.join("bin").join("pip");
    let requirement = format!("moto[server]=={MOTO_VERSION}");
    let mut install = Command::new(pip);
    install.args([
        "install",
        "--quiet",
        "--disable-pip-version-check",
        &requirement,
    ]);
    run_installer(venv, &mut install).await
}

async fn run_installer(venv: &Path, command: &mut Command) -> Result<(), EmulatorError> {
    let output = command
        .stdin(Stdio::null())
        .output()
        .await
        .map_err(|error| EmulatorError::Install {
            dir: venv.display().to_string(),
            detail: error.to_string(),
        })?;
    if output.status.success() {
        return Ok(());
    }
    let stderr = String::from_utf8_lossy(&output.stderr);
    let detail = stderr.lines().rev().take(5).collect::<Vec<_>>().join(" / ");
    Err(EmulatorError::Install {
        dir: venv.display().to_string(),
        detail,
    })
}

/// A running emulator: either a process this harness started, or one the user runs.
#[derive(Debug)]
pub struct Emulator {
    url: String,
    version: String,
    child: Option<Child>,
    started_in: Duration,
}

impl Emulator {
    /// Starts `moto_server` on a free 127.0.0.1 port and waits until it answers.
    pub async fn start(installation: &MotoInstallation) -> Result<Emulator, EmulatorError> {
        let started = Instant::now();
        let port = free_port()?;
        let mut command = Command::new(installation.server_path());
        isolate_from_user_settings(&mut command);
        let child = command
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            // Its own process group: a Ctrl-C at the terminal reaches scpcheck alone, which
            // finishes the case under way and then stops the emulator itself.
            .process_group(0)
            .spawn()
            .map_err(|error| EmulatorError::Start(format!("cannot run moto_server: {error}")))?;
        let mut emulator = Emulator {
            url: format!("http://127.0.0.1:{port}"),
            version: format!("moto {MOTO_VERSION}"),
            child: Some(child),
            started_in: Duration::ZERO,
        };
        emulator.wait_until_healthy(START_TIMEOUT).await?;
        emulator.started_in = started.elapsed();
        tracing::debug!(url = %emulator.url, ms = emulator.started_in.as_millis(), "moto started");
        Ok(emulator)
    }

    /// Uses an emulator the user already runs at `url` (moto-compatible).
    pub async fn external(url: &str) -> Result<Emulator, EmulatorError> {
        let mut emulator = Emulator {
            url: url.trim_end_matches('/').to_string(),
            version: "moto-compatible (external)".to_string(),
            child: None,
            started_in: Duration::ZERO,
        };
        emulator
            .wait_until_healthy(EXTERNAL_TIMEOUT)
            .await
            .map_err(|error| EmulatorError::Unreachable {
                url: url.to_string(),
                detail: match error {
                    EmulatorError::Start(detail) => detail,
                    other => other.to_string(),
                },
            })?;
        Ok(emulator)
    }

    /// The emulator's base URL.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The emulator's name and version.
    pub fn version(&self) -> &str {
        &self.version
    }

    /// How long the start took until the emulator answered (zero for an external one).
    pub fn started_in(&self) -> Duration {
        self.started_in
    }

    /// Wipes the emulator's state (moto's reset endpoint).
    pub async fn reset(&self) -> Result<(), EmulatorError> {
        let status = http_status(&self.url, "POST", "/moto-api/reset").await;
        match status {
            Ok(200) => Ok(()),
            Ok(other) => Err(EmulatorError::Start(format!(
                "`POST {}/moto-api/reset` answered HTTP {other}: is it a moto-compatible emulator?",
                self.url
            ))),
            Err(error) => Err(EmulatorError::Start(format!("reset failed: {error}"))),
        }
    }

    async fn wait_until_healthy(&mut self, patience: Duration) -> Result<(), EmulatorError> {
        let deadline = Instant::now() + patience;
        loop {
            if let Some(child) = &mut self.child
                && let Ok(Some(status)) = child.try_wait()
            {
                return Err(EmulatorError::Start(format!(
                    "moto_server exited with {status}"
                )));
            }
            // Any HTTP answer means the server is up; what it is is found out by the reset.
            match http_status(&self.url, "GET", "/").await {
                Ok(_) => return Ok(()),
                Err(_) if Instant::now() < deadline => {
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
                Err(error) => {
                    return Err(EmulatorError::Start(format!(
                        "`{}` did not answer within {}s: {error}",
                        self.url,
                        patience.as_secs()
                    )));
                }
            }
        }
    }

    /// Stops the emulator if this harness started it.
    pub async fn stop(mut self) {
        if let Some(mut child) = self.child.take() {
            if let Err(error) = child.kill().await {
                tracing::warn!(%error, "stopping moto_server failed");
            }
            tracing::debug!("moto stopped");
        }
    }
}

/// The variables moto is started with, from scpcheck's own environment; everything else is left
/// out.
const PASSED_TO_EMULATOR: [&str; 6] = ["PATH", "HOME", "TMPDIR", "LANG", "LC_ALL", "LC_CTYPE"];

/// Starts moto with none of the user's AWS or moto settings. botocore inside moto reads
/// `AWS_PROFILE`, the profile files and the other `AWS_*` variables (a profile that does not
/// exist fails every call with an internal server error), moto reads `MOTO_*` ones (another
/// default account, say), and `PYTHONPATH` could load other packages into it. The profile files
/// point to `/dev/null`, so that `~/.aws` is not read either.
fn isolate_from_user_settings(command: &mut Command) {
    command.env_clear();
    for name in PASSED_TO_EMULATOR {
        if let Some(value) = std::env::var_os(name) {
            command.env(name, value);
        }
    }
    command
        .env("AWS_CONFIG_FILE", "/dev/null")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null");
}

fn free_port() -> Result<u16, EmulatorError> {
    let listener =
        TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, 0))).map_err(|source| {
            EmulatorError::Io {
                context: "cannot find a free port on 127.0.0.1".to_string(),
                source,
            }
        })?;
    let port = listener
        .local_addr()
        .map_err(|source| EmulatorError::Io {
            context: "cannot read the free port".to_string(),
            source,
        })?
        .port();
    Ok(port)
}

/// A minimal HTTP/1.1 request that returns only the status code; enough for health checks.
async fn http_status(base: &str, method: &str, path: &str) -> std::io::Result<u16> {
    let authority = base
        .strip_prefix("http://")
        .ok_or_else(|| std::io::Error::other(format!("`{base}` is not an http:// URL")))?;
    let mut stream = tokio::time::timeout(Duration::from_secs(2), TcpStream::connect(authority))
        .await
        .map_err(|_| std::io::Error::other("connect timed out"))??;
    let request = format!(
        "{method} {path} HTTP/1.1\r\nHost: {authority}\r\nContent-Length: 0\r\n\
         Connection: close\r\n\r\n"
    );
    stream.write_all(request.as_bytes()).await?;
    // The status line may come in several pieces: read until it is whole, the answer ends, or
    // more than a status line's worth has come.
    let status_line = async {
        let mut head = Vec::new();
        let mut buffer = [0_u8; 256];
        while !head.windows(2).any(|pair| pair == b"\r\n") && head.len() < 1024 {
            let read = stream.read(&mut buffer).await?;
            if read == 0 {
                break;
            }
            head.extend_from_slice(buffer.get(..read).unwrap_or_default());
        }
        Ok::<_, std::io::Error>(head)
    };
    let head = tokio::time::timeout(Duration::from_secs(5), status_line)
        .await
        .map_err(|_| std::io::Error::other("no answer"))??;
    let text = String::from_utf8_lossy(&head);
    let text = text.lines().next().unwrap_or_default();
    text.split_whitespace()
        .nth(1)
        .and_then(|code| code.parse().ok())
        .ok_or_else(|| std::io::Error::other(format!("not an HTTP answer: {text:?}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A server on a free loopback port that answers one request with `pieces`, written one
    /// after another with a pause between them.
    async fn answering_in_pieces(pieces: &'static [&'static str]) -> String {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move {
            let (mut stream, _) = listener.accept().await.unwrap();
            let mut request = [0_u8; 1024];
            let _ = stream.read(&mut request).await;
            for piece in pieces {
                stream.write_all(piece.as_bytes()).await.unwrap();
                stream.flush().await.unwrap();
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        });
        url
    }

    #[tokio::test]
    async fn a_status_line_in_pieces_is_read_whole() {
        let url =
            answering_in_pieces(&["HTTP/1.1 ", "20", "0 OK\r\n", "Content-Length: 0\r\n\r\n"])
                .await;
        assert_eq!(http_status(&url, "GET", "/").await.unwrap(), 200);
    }

    #[tokio::test]
    async fn an_answer_that_is_not_http_is_an_error() {
        let url = answering_in_pieces(&["hello"]).await;
        let error = http_status(&url, "GET", "/").await.unwrap_err();
        assert_eq!(error.to_string(), "not an HTTP answer: \"hello\"");
    }
}
