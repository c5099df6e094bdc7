//! The gateway as the harness sees it: start, endpoints, decisions, shutdown.

use std::fmt;
use std::net::SocketAddr;
use std::sync::atomic::AtomicU64;
use std::sync::{Arc, Mutex, PoisonError};

use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::config::GatewayConfig;
use crate::credentials::{CredentialStore, Identity};
use crate::decide::GatewayDecision;
use crate::emulator::{Emulator, EmulatorError};
use crate::handler::Shared;
use crate::org_fetch;
use crate::scp_cache::{ScpCache, ScpState};
use crate::server;
use crate::tls::{self, TlsError};
use crate::upstream::{Upstream, UpstreamError};

/// The gateway could not start.
#[derive(Debug, thiserror::Error)]
pub enum GatewayError {
    /// The emulator URL is not usable.
    #[error(transparent)]
    Upstream(#[from] UpstreamError),
    /// The HTTPS certificates could not be made.
    #[error(transparent)]
    Tls(#[from] TlsError),
    /// A listener could not be bound on loopback.
    #[error("cannot listen on 127.0.0.1")]
    Bind(#[source] std::io::Error),
    /// The organization could not be read from the emulator at start.
    #[error("cannot read the organization from the emulator at start")]
    InitialLoad(#[source] EmulatorError),
}

/// A running gateway: an HTTP and an HTTPS listener on loopback in front of the emulator.
pub struct Gateway {
    http_address: SocketAddr,
    https_address: SocketAddr,
    ca_pem: String,
    shared: Arc<Shared>,
    stop: watch::Sender<bool>,
    listeners: Vec<JoinHandle<()>>,
}

impl fmt::Debug for Gateway {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter
            .debug_struct("Gateway")
            .field("http", &self.http_endpoint())
            .field("https", &self.https_endpoint())
            .field("upstream", &self.shared.upstream.authority())
            .finish_non_exhaustive()
    }
}

impl Gateway {
    /// Reads the organization's SCPs from the emulator and starts listening on two free
    /// loopback ports. A policy that does not parse does not stop the start: the gateway then
    /// denies every evaluated request until the organization is fixed.
    pub async fn start(config: GatewayConfig) -> Result<Gateway, GatewayError> {
        let upstream = Upstream::new(&config.upstream)?;
        let emulator = Emulator::new(upstream.clone());
        let credentials = CredentialStore::seeded(
            &config.management_credentials,
            &config.management_account_id,
        );
        let management = management_identity(&config);

        let snapshot = org_fetch::fetch(&emulator, &management, &config.region)
            .await
            .map_err(GatewayError::InitialLoad)?;
        let state = ScpState::from_snapshot(snapshot);
        if let ScpState::Broken { reason } = &state {
            tracing::error!(%reason, "scps could not be loaded; evaluated requests are denied");
        }

        let tls = tls::generate()?;
        let (http_listener, http_address) =
            server::bind_loopback().await.map_err(GatewayError::Bind)?;
        let (https_listener, https_address) =
            server::bind_loopback().await.map_err(GatewayError::Bind)?;

        let shared = Arc::new(Shared {
            region: config.region.clone(),
            management,
            credentials,
            scps: ScpCache::new(state),
            emulator,
            upstream,
            decisions: Mutex::new(Vec::new()),
            request_counter: AtomicU64::new(1),
        });
        let (stop, stopped) = watch::channel(false);
        let listeners = vec![
            tokio::spawn(server::serve(
                http_listener,
                Arc::clone(&shared),
                None,
                stopped.clone(),
            )),
            tokio::spawn(server::serve(
                https_listener,
                Arc::clone(&shared),
                Some(tls.acceptor),
                stopped,
            )),
        ];

        tracing::debug!(
            %http_address,
            %https_address,
            upstream = %config.upstream,
            "gateway started"
        );
        Ok(Gateway {
            http_address,
            https_address,
            ca_pem: tls.ca_pem,
            shared,
            stop,
            listeners,
        })
    }

    /// The plain HTTP endpoint, `http://127.0.0.1:PORT`.
    pub fn http_endpoint(&self) -> String {
        format!("http://127.0.0.1:{port}", port = self.http_address.port())
    }

    /// The HTTPS endpoint, `https://localhost:PORT`; the certificate also covers `127.0.0.1`.
    pub fn https_endpoint(&self) -> String {
        format!("https://localhost:{port}", port = self.https_address.port())
    }

    /// The PEM certificate of the CA that signed the HTTPS certificate; clients trust it.
    pub fn ca_certificate_pem(&self) -> &str {
        &self.ca_pem
    }

    /// Every SCP decision made so far, oldest first.
    pub fn decisions(&self) -> Vec<GatewayDecision> {
        let decisions = self
            .shared
            .decisions
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        decisions.clone()
    }

    /// Stops both listeners and closes open connections.
    pub async fn shutdown(mut self) {
        self.stop.send_replace(true);
        for listener in std::mem::take(&mut self.listeners) {
            if let Err(error) = listener.await {
                tracing::debug!(%error, "listener task ended abnormally");
            }
        }
        tracing::debug!("gateway stopped");
    }
}

impl Drop for Gateway {
    /// A gateway dropped without `shutdown` still stops accepting connections.
    fn drop(&mut self) {
        self.stop.send_replace(true);
    }
}

fn management_identity(config: &GatewayConfig) -> Identity {
    let account_id = &config.management_account_id;
    Identity {
        access_key_id: config.management_credentials.access_key_id.clone(),
        secret_access_key: config.management_credentials.secret_access_key.clone(),
        session_token: None,
        account_id: account_id.clone(),
        caller_arn: format!("arn:aws:iam::{account_id}:root"),
        principal_arn: format!("arn:aws:iam::{account_id}:root"),
    }
}
