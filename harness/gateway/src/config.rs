//! What the gateway is started with.

use std::fmt;

/// A static access key pair.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    /// The access key id, e.g. `AKIAIOSFODNN7EXAMPLE`.
    pub access_key_id: String,
    /// The secret access key.
    pub secret_access_key: String,
}

impl fmt::Debug for Credentials {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter
            .debug_struct("Credentials")
            .field("access_key_id", &self.access_key_id)
            .field("secret_access_key", &"<redacted>")
            .finish()
    }
}

/// How to start a gateway.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GatewayConfig {
    /// The emulator's base URL, e.g. `http://127.0.0.1:5000`.
    pub upstream: String,
    /// The region the harness works in, e.g. `eu-central-1`.
    pub region: String,
    /// The management account of the organization; moto's default is `123456789012`.
    pub management_account_id: String,
    /// The static keys the harness uses as the management account.
    pub management_credentials: Credentials,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_hides_the_secret() {
        let credentials = Credentials {
            access_key_id: "AKID".to_owned(),
            secret_access_key: "very-secret".to_owned(),
        };
        let printed = format!("{credentials:?}");
        assert!(printed.contains("AKID"));
        assert!(!printed.contains("very-secret"));
    }
}
