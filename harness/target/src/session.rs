//! The emulator target: an emulator (started here or run by the user) with the gateway in
//! front, the layout's organization built through it, and the member account's clients.

use std::time::{Duration, Instant};

use scpcheck_gateway::{Credentials, Gateway, GatewayConfig};
use scpcheck_policy::Organization;
use scpcheck_scenario::Params;
use scpcheck_scenario::catalogue::CallEnv;
use scpcheck_scenario::layout::PolicySet;

use crate::calls::{CallClients, FixtureError};
use crate::emulator::{Emulator, EmulatorError, MotoInstallation};
use crate::organization::{self, BuiltOrganization, OrganizationError};
use crate::outcome::Outcome;
use crate::sdk::{ClientSetupError, Clients, Identity};

/// The account moto answers as when credentials name no other.
pub const MANAGEMENT_ACCOUNT: &str = "123456789012";

/// How to reach the emulator.
#[derive(Debug, Clone)]
pub struct EmulatorOptions {
    /// Use this running moto-compatible emulator instead of starting one. Its state is reset.
    pub emulator_url: Option<String>,
    /// Where moto is provisioned.
    pub cache_dir: std::path::PathBuf,
    /// The region every call is made in.
    pub region: String,
}

/// Why the emulator target could not start.
#[derive(Debug, thiserror::Error)]
pub enum TargetError {
    /// The emulator could not be provisioned or started.
    #[error(transparent)]
    Emulator(#[from] EmulatorError),
    /// The gateway could not start.
    #[error("the gateway did not start: {0}")]
    Gateway(String),
    /// An SDK client could not be configured.
    #[error(transparent)]
    Client(#[from] ClientSetupError),
    /// The organization could not be built.
    #[error(transparent)]
    Organization(#[from] OrganizationError),
    /// A case's fixtures could not be made.
    #[error(transparent)]
    Fixture(#[from] FixtureError),
}

/// Start-up timings, for the evidence and the README's figures.
#[derive(Debug, Clone, Copy)]
pub struct StartTimings {
    /// Provisioning moto (zero when it was cached or external).
    pub provision: Duration,
    /// Starting moto until it answered.
    pub emulator: Duration,
    /// Starting the gateway, building the organization and entering the member account.
    pub setup: Duration,
}

/// A running emulator target.
pub struct EmulatorTarget {
    emulator: Emulator,
    gateway: Gateway,
    calls: CallClients,
    built: BuiltOrganization,
    organization: Organization,
    region: String,
    timings: StartTimings,
}

impl EmulatorTarget {
    /// Provisions and starts the emulator (or connects to the user's), starts the gateway in
    /// front of it and builds the organization of `policies` through it.
    pub async fn start(
        options: &EmulatorOptions,
        policies: &PolicySet,
    ) -> Result<EmulatorTarget, TargetError> {
        let started = Instant::now();
        let (emulator, provision) = match &options.emulator_url {
            Some(url) => (Emulator::external(url).await?, Duration::ZERO),
            None => {
                let installation = MotoInstallation::provision(&options.cache_dir).await?;
                let provision = started.elapsed();
                (Emulator::start(&installation).await?, provision)
            }
        };
        let emulator_time = emulator.started_in();
        // From here on the emulator is stopped on every path out, also on error.
        match Self::set_up(emulator, options, policies).await {
            Ok(mut target) => {
                target.timings.provision = provision;
                target.timings.emulator = emulator_time;
                Ok(target)
            }
            Err((emulator, error)) => {
                emulator.stop().await;
                Err(error)
            }
        }
    }

    async fn set_up(
        emulator: Emulator,
        options: &EmulatorOptions,
        policies: &PolicySet,
    ) -> Result<EmulatorTarget, (Emulator, TargetError)> {
        let started = Instant::now();
        if let Err(error) = emulator.reset().await {
            return Err((emulator, error.into()));
        }
        let management = Identity {
            access_key_id: "AKIASCPCHECKMANAGER1".to_string(),
            secret_access_key: format!("scpcheck-management-{}", std::process::id()),
            session_token: None,
        };
        let config = GatewayConfig {
            upstream: emulator.url().to_string(),
            region: options.region.clone(),
            management_account_id: MANAGEMENT_ACCOUNT.to_string(),
            management_credentials: Credentials {
                access_key_id: management.access_key_id.clone(),
                secret_access_key: management.secret_access_key.clone(),
            },
        };
        let gateway = match Gateway::start(config).await {
            Ok(gateway) => gateway,
            Err(error) => {
                // The gateway's errors keep their causes apart; the message carries them all.
                let message = crate::outcome::describe(&error);
                return Err((emulator, TargetError::Gateway(message)));
            }
        };
        match Self::enter(&emulator, &gateway, options, policies, &management).await {
            Ok((calls, built)) => {
                let organization = policies.organization(&built.ids);
                let timings = StartTimings {
                    provision: Duration::ZERO,
                    emulator: Duration::ZERO,
                    setup: started.elapsed(),
                };
                Ok(EmulatorTarget {
                    emulator,
                    gateway,
                    calls,
                    built,
                    organization,
                    region: options.region.clone(),
                    timings,
                })
            }
            Err(error) => {
                gateway.shutdown().await;
                Err((emulator, error))
            }
        }
    }

    async fn enter(
        emulator: &Emulator,
        gateway: &Gateway,
        options: &EmulatorOptions,
        policies: &PolicySet,
        management: &Identity,
    ) -> Result<(CallClients, BuiltOrganization), TargetError> {
        let ca = Some(gateway.ca_certificate_pem());
        let region = &options.region;
        let admin = Clients::new(&gateway.https_endpoint(), region, management, ca).await?;
        let built = organization::build(&admin, policies).await?;
        let member = &built.member;
        let calls = CallClients {
            secure: Clients::new(&gateway.https_endpoint(), region, member, ca).await?,
            plain: Clients::new(&gateway.http_endpoint(), region, member, None).await?,
            direct: Clients::new(emulator.url(), region, member, None).await?,
            region: region.clone(),
            run_id: format!("{:x}", std::process::id()),
            image: std::sync::Arc::default(),
        };
        Ok((calls, built))
    }

    /// The organization as the reference evaluator sees it, with the emulator's identifiers.
    pub fn organization(&self) -> &Organization {
        &self.organization
    }

    /// The environment of a call made as the member account; `transport` is `http` or
    /// `https`.
    pub fn call_env(&self, params: &Params) -> CallEnv {
        crate::reference::member_env(
            &self.region,
            &self.built.ids.account,
            &self.built.member_role_arn,
            params,
        )
    }

    /// The emulator's name and version.
    pub fn version(&self) -> String {
        format!("{} behind the scpcheck gateway", self.emulator.version())
    }

    /// How long the start took.
    pub fn timings(&self) -> StartTimings {
        self.timings
    }

    /// The gateway's log of decisions.
    pub fn gateway(&self) -> &Gateway {
        &self.gateway
    }

    /// Makes the fixtures a case needs; returns the resource identifiers it uses.
    pub async fn prepare(
        &self,
        operation: &str,
        params: &Params,
        index: usize,
    ) -> Result<std::collections::BTreeMap<String, String>, TargetError> {
        Ok(self.calls.prepare(operation, params, index).await?)
    }

    /// Runs one case through the gateway.
    pub async fn execute(&self, operation: &str, params: &Params) -> Outcome {
        self.calls.execute(operation, params).await
    }

    /// Stops the gateway and the emulator (if this harness started it).
    pub async fn stop(self) {
        self.gateway.shutdown().await;
        self.emulator.stop().await;
    }
}
