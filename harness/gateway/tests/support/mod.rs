//! Test support: a moto server from `SCPCHECK_MOTO_BIN`, a gateway in front of it and a small
//! signing HTTP client.

#![expect(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    reason = "test support stops the test at the first surprise"
)]

use std::net::TcpListener as StdListener;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http::{HeaderValue, Method, Request, StatusCode};
use http_body_util::{BodyExt, Full};
use hyper_util::rt::TokioIo;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName};
use scpcheck_gateway::sigv4::{Signing, sign};
use scpcheck_gateway::{Credentials, Gateway, GatewayConfig};
use serde_json::{Value, json};
use time::OffsetDateTime;
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;

pub const REGION: &str = "eu-central-1";
pub const MANAGEMENT_ACCOUNT: &str = "123456789012";

/// A running moto server, stopped when dropped.
pub struct Moto {
    child: Child,
    pub url: String,
}

impl Moto {
    /// Starts moto, or prints a notice and returns `None` when `SCPCHECK_MOTO_BIN` is unset.
    /// In CI (`CI` set) the variable is required: `.ci/run` sets it to the moto that
    /// `scpcheck emulator install` provisions, and a skipped test there would hide a failure.
    pub fn start(test: &str) -> Option<Self> {
        let Some(binary) = std::env::var_os("SCPCHECK_MOTO_BIN") else {
            assert!(
                std::env::var_os("CI").is_none(),
                "`{test}` needs SCPCHECK_MOTO_BIN in CI (set it to the output of \
                 `cargo run -- emulator install`)"
            );
            eprintln!(
                "skipping `{test}`: SCPCHECK_MOTO_BIN is not set (set it to the output of \
                 `cargo run -- emulator install`)"
            );
            return None;
        };
        let port = StdListener::bind("127.0.0.1:0")
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
        let deadline = Instant::now() + Duration::from_secs(30);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "moto did not start within 30 seconds"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        Some(moto)
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Keys a test client signs with.
#[derive(Debug, Clone)]
pub struct Keys {
    pub access_key_id: String,
    pub secret_access_key: String,
    pub session_token: Option<String>,
}

pub fn management_keys() -> Keys {
    Keys {
        access_key_id: "AKIAMANAGEMENTKEY01".to_owned(),
        secret_access_key: "management-secret".to_owned(),
        session_token: None,
    }
}

pub async fn start_gateway(moto: &Moto) -> Gateway {
    let keys = management_keys();
    Gateway::start(GatewayConfig {
        upstream: moto.url.clone(),
        region: REGION.to_owned(),
        management_account_id: MANAGEMENT_ACCOUNT.to_owned(),
        management_credentials: Credentials {
            access_key_id: keys.access_key_id,
            secret_access_key: keys.secret_access_key,
        },
    })
    .await
    .unwrap()
}

/// An answer: status, headers and body text.
#[derive(Debug)]
pub struct Answer {
    pub status: StatusCode,
    pub headers: http::HeaderMap,
    pub body: String,
}

impl Answer {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap()
    }

    /// The text of the first `<name>` element.
    pub fn xml_text(&self, name: &str) -> Option<String> {
        let open = format!("<{name}>");
        let start = self.body.find(&open)? + open.len();
        let end = self.body[start..].find(&format!("</{name}>"))? + start;
        Some(self.body[start..end].to_owned())
    }
}

/// Where a request goes.
#[derive(Clone)]
pub enum Endpoint {
    /// Plain HTTP to a base URL, `http://127.0.0.1:PORT`.
    Http(String),
    /// HTTPS to `https://localhost:PORT`, trusting a CA.
    Https { url: String, ca_pem: String },
}

impl Endpoint {
    pub fn http(gateway: &Gateway) -> Self {
        Self::Http(gateway.http_endpoint())
    }

    pub fn https(gateway: &Gateway) -> Self {
        Self::Https {
            url: gateway.https_endpoint(),
            ca_pem: gateway.ca_certificate_pem().to_owned(),
        }
    }

    fn base(&self) -> &str {
        match self {
            Self::Http(url) | Self::Https { url, .. } => url,
        }
    }
}

/// A request to build, sign and send.
pub struct Call {
    pub method: Method,
    pub path_and_query: String,
    pub headers: Vec<(&'static str, String)>,
    pub body: Vec<u8>,
    pub service: &'static str,
}

impl Call {
    pub fn query(service: &'static str, form: &[(&str, &str)]) -> Self {
        let mut body = form_urlencoded::Serializer::new(String::new());
        for (name, value) in form {
            body.append_pair(name, value);
        }
        Self {
            method: Method::POST,
            path_and_query: "/".to_owned(),
            headers: vec![(
                "content-type",
                "application/x-www-form-urlencoded; charset=utf-8".to_owned(),
            )],
            body: body.finish().into_bytes(),
            service,
        }
    }

    pub fn ec2(action: &str, params: &[(&str, &str)]) -> Self {
        let mut form = vec![("Action", action), ("Version", "2016-11-15")];
        form.extend_from_slice(params);
        Self::query("ec2", &form)
    }

    pub fn organizations(operation: &str, input: Value) -> Self {
        Self {
            method: Method::POST,
            path_and_query: "/".to_owned(),
            headers: vec![
                ("content-type", "application/x-amz-json-1.1".to_owned()),
                (
                    "x-amz-target",
                    format!("AWSOrganizationsV20161128.{operation}"),
                ),
            ],
            body: input.to_string().into_bytes(),
            service: "organizations",
        }
    }

    pub fn with_header(mut self, name: &'static str, value: &str) -> Self {
        self.headers.push((name, value.to_owned()));
        self
    }

    fn request(&self, base: &str) -> Request<Bytes> {
        let mut request = Request::new(Bytes::from(self.body.clone()));
        *request.method_mut() = self.method.clone();
        *request.uri_mut() = format!("{base}{}", self.path_and_query).parse().unwrap();
        for (name, value) in &self.headers {
            request
                .headers_mut()
                .append(*name, HeaderValue::from_str(value).unwrap());
        }
        request
    }
}

/// Signs and sends `call`; `keys` of `None` sends it unsigned.
pub async fn send(endpoint: &Endpoint, call: &Call, keys: Option<&Keys>) -> Answer {
    let mut request = call.request(endpoint.base());
    if let Some(keys) = keys {
        let signing = Signing {
            access_key_id: &keys.access_key_id,
            secret_access_key: &keys.secret_access_key,
            session_token: keys.session_token.as_deref(),
            region: REGION,
            service: call.service,
            time: OffsetDateTime::now_utc(),
        };
        sign(&mut request, &signing).unwrap();
    } else {
        let host = request.uri().authority().unwrap().to_string();
        request
            .headers_mut()
            .insert("host", HeaderValue::from_str(&host).unwrap());
    }
    exchange(endpoint, request).await
}

async fn exchange(endpoint: &Endpoint, request: Request<Bytes>) -> Answer {
    let authority = request.uri().authority().unwrap().clone();
    let port = authority.port_u16().unwrap();
    let origin_form = request
        .uri()
        .path_and_query()
        .unwrap()
        .as_str()
        .parse()
        .unwrap();
    let (mut parts, body) = request.into_parts();
    parts.uri = origin_form;
    let request = Request::from_parts(parts, Full::new(body));

    let stream = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
    let response = match endpoint {
        Endpoint::Http(_) => send_over(stream, request).await,
        Endpoint::Https { ca_pem, .. } => {
            let server_name = ServerName::try_from(authority.host().to_owned()).unwrap();
            let tls = connector(ca_pem)
                .connect(server_name, stream)
                .await
                .unwrap();
            send_over(tls, request).await
        }
    };
    let (parts, body) = response.into_parts();
    let body = body.collect().await.unwrap().to_bytes();
    Answer {
        status: parts.status,
        headers: parts.headers,
        body: String::from_utf8_lossy(&body).into_owned(),
    }
}

async fn send_over<S>(
    stream: S,
    request: Request<Full<Bytes>>,
) -> http::Response<hyper::body::Incoming>
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .unwrap();
    tokio::spawn(connection);
    tokio::time::timeout(Duration::from_secs(60), sender.send_request(request))
        .await
        .expect("the gateway answers within 60 seconds")
        .unwrap()
}

fn connector(ca_pem: &str) -> TlsConnector {
    let mut roots = rustls::RootCertStore::empty();
    roots
        .add(CertificateDer::from_pem_slice(ca_pem.as_bytes()).unwrap())
        .unwrap();
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    TlsConnector::from(Arc::new(config))
}

/// Calls an Organizations operation through the gateway as the management account.
pub async fn organizations(endpoint: &Endpoint, operation: &str, input: Value) -> Value {
    let answer = send(
        endpoint,
        &Call::organizations(operation, input),
        Some(&management_keys()),
    )
    .await;
    assert_eq!(
        answer.status,
        StatusCode::OK,
        "{operation}: {}",
        answer.body
    );
    answer.json()
}

/// Creates an organization with one member account and returns the account id and root id.
pub async fn organization_with_member(endpoint: &Endpoint) -> (String, String) {
    organizations(
        endpoint,
        "CreateOrganization",
        json!({ "FeatureSet": "ALL" }),
    )
    .await;
    let roots = organizations(endpoint, "ListRoots", json!({})).await;
    let root_id = roots["Roots"][0]["Id"].as_str().unwrap().to_owned();
    let account = organizations(
        endpoint,
        "CreateAccount",
        json!({ "Email": "member@example.com", "AccountName": "member" }),
    )
    .await;
    let account_id = account["CreateAccountStatus"]["AccountId"]
        .as_str()
        .unwrap()
        .to_owned();
    (account_id, root_id)
}

/// Creates an SCP and attaches it to `target_id`; returns the policy id.
pub async fn attach_scp(endpoint: &Endpoint, name: &str, content: &str, target_id: &str) -> String {
    let policy = organizations(
        endpoint,
        "CreatePolicy",
        json!({ "Content": content, "Description": name, "Name": name,
                "Type": "SERVICE_CONTROL_POLICY" }),
    )
    .await;
    let policy_id = policy["Policy"]["PolicySummary"]["Id"]
        .as_str()
        .unwrap()
        .to_owned();
    organizations(
        endpoint,
        "AttachPolicy",
        json!({ "PolicyId": policy_id, "TargetId": target_id }),
    )
    .await;
    policy_id
}

/// Assumes the member account's access role through the gateway and returns its keys.
pub async fn assume_member_role(endpoint: &Endpoint, account_id: &str) -> Keys {
    let role_arn = format!("arn:aws:iam::{account_id}:role/OrganizationAccountAccessRole");
    let call = Call::query(
        "sts",
        &[
            ("Action", "AssumeRole"),
            ("Version", "2011-06-15"),
            ("RoleArn", &role_arn),
            ("RoleSessionName", "conformance"),
        ],
    );
    let answer = send(endpoint, &call, Some(&management_keys())).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    Keys {
        access_key_id: answer.xml_text("AccessKeyId").unwrap(),
        secret_access_key: answer.xml_text("SecretAccessKey").unwrap(),
        session_token: Some(answer.xml_text("SessionToken").unwrap()),
    }
}
