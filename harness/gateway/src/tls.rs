//! The HTTPS listener's certificates: a throwaway CA made at start and a leaf it signs for
//! `localhost` and `127.0.0.1`, so clients can trust the CA and reach either name.

use std::sync::Arc;

use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose,
};
use rustls::ServerConfig;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio_rustls::TlsAcceptor;

/// The names the leaf certificate is valid for.
const LEAF_NAMES: [&str; 2] = ["localhost", "127.0.0.1"];

/// The certificates could not be made or loaded.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    /// rcgen failed to make a key or certificate.
    #[error("cannot generate the gateway's certificates")]
    Generate(#[from] rcgen::Error),
    /// rustls refused the configuration.
    #[error("cannot configure tls")]
    Configure(#[from] rustls::Error),
}

/// The acceptor for the HTTPS listener and the CA certificate clients must trust.
#[derive(Clone)]
pub(crate) struct TlsMaterial {
    /// Accepts TLS connections with the leaf certificate.
    pub acceptor: TlsAcceptor,
    /// The CA certificate, PEM encoded.
    pub ca_pem: String,
}

/// Generates a fresh CA and leaf and builds the server configuration with the ring provider,
/// without touching the process-wide default provider.
pub(crate) fn generate() -> Result<TlsMaterial, TlsError> {
    let ca_key = KeyPair::generate()?;
    let ca_params = ca_params()?;
    let ca_certificate = ca_params.self_signed(&ca_key)?;
    let issuer = Issuer::new(ca_params, ca_key);

    let leaf_key = KeyPair::generate()?;
    let leaf_certificate = leaf_params()?.signed_by(&leaf_key, &issuer)?;

    let chain = vec![leaf_certificate.der().clone(), ca_certificate.der().clone()];
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(leaf_key.serialize_der()));
    let config = server_config(chain, key)?;

    Ok(TlsMaterial {
        acceptor: TlsAcceptor::from(Arc::new(config)),
        ca_pem: ca_certificate.pem(),
    })
}

fn ca_params() -> Result<CertificateParams, rcgen::Error> {
    let mut params = CertificateParams::new(Vec::<String>::new())?;
    params
        .distinguished_name
        .push(DnType::CommonName, "scpcheck gateway CA");
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    Ok(params)
}

fn leaf_params() -> Result<CertificateParams, rcgen::Error> {
    let names: Vec<String> = LEAF_NAMES.iter().map(|name| (*name).to_owned()).collect();
    let mut params = CertificateParams::new(names)?;
    params
        .distinguished_name
        .push(DnType::CommonName, "localhost");
    params.key_usages = vec![
        KeyUsagePurpose::DigitalSignature,
        KeyUsagePurpose::KeyEncipherment,
    ];
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    Ok(params)
}

fn server_config(
    chain: Vec<CertificateDer<'static>>,
    key: PrivateKeyDer<'static>,
) -> Result<ServerConfig, rustls::Error> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_no_client_auth()
        .with_single_cert(chain, key)?;
    // Only HTTP/1.1 is served.
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(config)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rustls::pki_types::ServerName;
    use rustls::pki_types::pem::PemObject;
    use rustls::{ClientConfig, RootCertStore};
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio_rustls::TlsConnector;

    fn connector(ca_pem: &str) -> TlsConnector {
        let mut roots = RootCertStore::empty();
        roots
            .add(CertificateDer::from_pem_slice(ca_pem.as_bytes()).unwrap())
            .unwrap();
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let config = ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_root_certificates(roots)
            .with_no_client_auth();
        TlsConnector::from(Arc::new(config))
    }

    async fn handshake(material: &TlsMaterial, name: &'static str) -> std::io::Result<Vec<u8>> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let address = listener.local_addr()?;
        let acceptor = material.acceptor.clone();
        let server = tokio::spawn(async move {
            let (stream, _) = listener.accept().await?;
            let mut tls = acceptor.accept(stream).await?;
            tls.write_all(b"hello").await?;
            tls.shutdown().await
        });

        let stream = tokio::net::TcpStream::connect(address).await?;
        let server_name = ServerName::try_from(name).unwrap();
        let mut tls = connector(&material.ca_pem)
            .connect(server_name, stream)
            .await?;
        let mut received = Vec::new();
        tls.read_to_end(&mut received).await?;
        server.await.unwrap()?;
        Ok(received)
    }

    #[tokio::test]
    async fn clients_trusting_the_ca_reach_both_names() {
        let material = generate().unwrap();
        assert!(material.ca_pem.starts_with("-----BEGIN CERTIFICATE-----"));
        assert_eq!(handshake(&material, "localhost").await.unwrap(), b"hello");
        assert_eq!(handshake(&material, "127.0.0.1").await.unwrap(), b"hello");
    }

    #[tokio::test]
    async fn other_names_are_not_covered() {
        let material = generate().unwrap();
        assert!(handshake(&material, "example.com").await.is_err());
    }
}
