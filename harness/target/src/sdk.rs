//! AWS SDK clients: one configuration per endpoint and identity, trusting the gateway's
//! certificate authority when it speaks HTTPS.

use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_credential_types::Credentials;
use aws_credential_types::provider::SharedCredentialsProvider;
use aws_smithy_http_client::tls::rustls_provider::CryptoMode;
use aws_smithy_http_client::tls::{Provider, TlsContext, TrustStore};

/// Static credentials for one identity.
#[derive(Clone)]
pub struct Identity {
    /// The access key id.
    pub access_key_id: String,
    /// The secret access key.
    pub secret_access_key: String,
    /// The session token of temporary credentials.
    pub session_token: Option<String>,
}

impl std::fmt::Debug for Identity {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("Identity")
            .field("access_key_id", &self.access_key_id)
            .finish_non_exhaustive()
    }
}

/// Why a client could not be configured.
#[derive(Debug, thiserror::Error)]
#[error("cannot configure the AWS SDK client: {0}")]
pub struct ClientSetupError(String);

/// One endpoint, one identity: the SDK configuration every service client is built from.
#[derive(Debug, Clone)]
pub struct Clients {
    config: SdkConfig,
}

impl Clients {
    /// Configures clients for `endpoint` (an `http://` or `https://` URL) in `region` as
    /// `identity`; `ca_pem` is the certificate authority an HTTPS endpoint is trusted through.
    pub async fn new(
        endpoint: &str,
        region: &str,
        identity: &Identity,
        ca_pem: Option<&str>,
    ) -> Result<Clients, ClientSetupError> {
        let credentials = Credentials::new(
            identity.access_key_id.clone(),
            identity.secret_access_key.clone(),
            identity.session_token.clone(),
            None,
            "scpcheck",
        );
        let mut trust = TrustStore::empty();
        if let Some(pem) = ca_pem {
            trust = trust.with_pem_certificate(pem.as_bytes());
        }
        let tls = TlsContext::builder()
            .with_trust_store(trust)
            .build()
            .map_err(|error| ClientSetupError(error.to_string()))?;
        let http_client = aws_smithy_http_client::Builder::new()
            .tls_provider(Provider::Rustls(CryptoMode::Ring))
            .tls_context(tls)
            .build_https();

        // Built from explicit values alone: `aws_config`'s loader would also read the user's
        // profile files and `AWS_*` variables (a service's own `AWS_ENDPOINT_URL_*` even wins
        // over the endpoint given here), and a run against the local target must not depend on
        // the user's AWS settings.
        let config = SdkConfig::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new(region.to_string()))
            .credentials_provider(SharedCredentialsProvider::new(credentials))
            .http_client(http_client)
            .endpoint_url(endpoint)
            // One attempt per call: a retried call would hide what the target answered first.
            .retry_config(aws_config::retry::RetryConfig::disabled())
            // A target that accepts connections but never answers must not hang the run.
            .timeout_config(
                aws_config::timeout::TimeoutConfig::builder()
                    .connect_timeout(std::time::Duration::from_secs(5))
                    .operation_timeout(std::time::Duration::from_secs(60))
                    .build(),
            )
            .request_checksum_calculation(
                aws_sdk_s3::config::RequestChecksumCalculation::WhenRequired,
            )
            .response_checksum_validation(
                aws_sdk_s3::config::ResponseChecksumValidation::WhenRequired,
            )
            .build();
        Ok(Clients { config })
    }

    /// An S3 client with path-style addressing (buckets in the path, not the host name).
    pub fn s3(&self) -> aws_sdk_s3::Client {
        let config = aws_sdk_s3::config::Builder::from(&self.config)
            .force_path_style(true)
            .build();
        aws_sdk_s3::Client::from_conf(config)
    }

    /// An EC2 client.
    pub fn ec2(&self) -> aws_sdk_ec2::Client {
        aws_sdk_ec2::Client::new(&self.config)
    }

    /// An RDS client.
    pub fn rds(&self) -> aws_sdk_rds::Client {
        aws_sdk_rds::Client::new(&self.config)
    }

    /// An EFS client.
    pub fn efs(&self) -> aws_sdk_efs::Client {
        aws_sdk_efs::Client::new(&self.config)
    }

    /// An Organizations client.
    pub fn organizations(&self) -> aws_sdk_organizations::Client {
        aws_sdk_organizations::Client::new(&self.config)
    }

    /// An STS client.
    pub fn sts(&self) -> aws_sdk_sts::Client {
        aws_sdk_sts::Client::new(&self.config)
    }
}
