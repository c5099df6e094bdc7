//! Test support: a moto server started from `SCPCHECK_MOTO_BIN` on a free loopback port.

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::credentials::Identity;

/// A running moto server, stopped when dropped.
pub(crate) struct Moto {
    child: Child,
    /// The base URL, `http://127.0.0.1:PORT`.
    pub url: String,
}

impl Moto {
    /// Starts moto, or prints a notice and returns `None` when `SCPCHECK_MOTO_BIN` is unset.
    pub(crate) fn start(test: &str) -> Option<Self> {
        let Some(binary) = std::env::var_os("SCPCHECK_MOTO_BIN") else {
            eprintln!("skipping `{test}`: SCPCHECK_MOTO_BIN is not set");
            return None;
        };
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|listener| listener.local_addr())
            .unwrap()
            .port();
        // moto gets an environment of its own: botocore inside it would read the AWS settings
        // of whoever runs the tests, and a profile that does not exist fails every call.
        let child = Command::new(binary)
            .env_clear()
            .env("AWS_CONFIG_FILE", "/dev/null")
            .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let moto = Self {
            child,
            url: format!("http://127.0.0.1:{port}"),
        };
        moto.wait_until_listening(port);
        Some(moto)
    }

    fn wait_until_listening(&self, port: u16) {
        let deadline = Instant::now() + Duration::from_secs(30);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "moto did not start within 30 seconds"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The identity of moto's default account with throwaway keys.
pub(crate) fn management_identity() -> Identity {
    Identity {
        access_key_id: "AKIAMANAGEMENT".to_owned(),
        secret_access_key: "management-secret".to_owned(),
        session_token: None,
        account_id: "123456789012".to_owned(),
        caller_arn: "arn:aws:iam::123456789012:root".to_owned(),
        principal_arn: "arn:aws:iam::123456789012:root".to_owned(),
    }
}
