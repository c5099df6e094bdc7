//! Direct, signed calls to the emulator's own APIs, for the state the gateway's decisions need
//! (the organization and its SCPs, volumes, images and instances). They bypass the gateway.

use bytes::Bytes;
use http::header::CONTENT_TYPE;
use http::{HeaderValue, Method, Request, Response};
use time::OffsetDateTime;

use crate::credentials::Identity;
use crate::sigv4::{self, Signing, SigningError};
use crate::upstream::{Upstream, UpstreamError};
use crate::xml::{self, Element};

/// The EC2 API version the lookups speak.
const EC2_VERSION: &str = "2016-11-15";

/// The Organizations JSON 1.1 target prefix.
const ORGANIZATIONS_TARGET: &str = "AWSOrganizationsV20161128";

/// An emulator call that gave no usable answer.
#[derive(Debug, thiserror::Error)]
pub enum EmulatorError {
    /// The emulator could not be reached.
    #[error(transparent)]
    Upstream(#[from] UpstreamError),
    /// The call could not be signed.
    #[error(transparent)]
    Signing(#[from] SigningError),
    /// The emulator answered with an error status.
    #[error(
        "the emulator refused `{operation}` with status {status}: {code}",
        status = .response.status()
    )]
    Rejected {
        /// The operation called.
        operation: String,
        /// The error code read from the body, or `unknown`.
        code: String,
        /// The whole response, to pass on where that is the honest answer.
        response: Box<Response<Bytes>>,
    },
    /// The emulator's answer could not be read.
    #[error("cannot read the emulator's answer to `{operation}`: {reason}")]
    Unreadable {
        /// The operation called.
        operation: String,
        /// What is wrong with the answer.
        reason: String,
    },
}

impl EmulatorError {
    /// The error code of a rejected call.
    pub(crate) fn rejection_code(&self) -> Option<&str> {
        match self {
            Self::Rejected { code, .. } => Some(code),
            _ => None,
        }
    }
}

/// Signed access to the emulator's APIs.
#[derive(Clone)]
pub(crate) struct Emulator {
    upstream: Upstream,
}

impl Emulator {
    /// Calls through `upstream`.
    pub(crate) fn new(upstream: Upstream) -> Self {
        Self { upstream }
    }

    /// Calls an Organizations operation (JSON 1.1) and returns the JSON answer.
    pub(crate) async fn organizations(
        &self,
        identity: &Identity,
        region: &str,
        operation: &str,
        input: &serde_json::Value,
    ) -> Result<serde_json::Value, EmulatorError> {
        let mut request = Request::new(Bytes::from(input.to_string()));
        *request.method_mut() = Method::POST;
        *request.uri_mut() = self.upstream.uri("/")?;
        let headers = request.headers_mut();
        headers.insert(
            CONTENT_TYPE,
            HeaderValue::from_static("application/x-amz-json-1.1"),
        );
        let target = HeaderValue::from_str(&format!("{ORGANIZATIONS_TARGET}.{operation}"))
            .map_err(|error| UpstreamError::Request(error.to_string()))?;
        headers.insert("x-amz-target", target);

        let response = self
            .signed_send(request, identity, region, "organizations")
            .await?;
        if !response.status().is_success() {
            let code = json_error_code(response.body());
            return Err(rejected(operation, code, response));
        }
        serde_json::from_slice(response.body()).map_err(|error| EmulatorError::Unreadable {
            operation: operation.to_owned(),
            reason: error.to_string(),
        })
    }

    /// Calls an EC2 query operation and returns the root of the XML answer.
    pub(crate) async fn ec2(
        &self,
        identity: &Identity,
        region: &str,
        action: &str,
        params: &[(&str, &str)],
    ) -> Result<Element, EmulatorError> {
        let body = form_body(action, params);
        let mut request = Request::new(Bytes::from(body));
        *request.method_mut() = Method::POST;
        *request.uri_mut() = self.upstream.uri("/")?;
        request.headers_mut().insert(
            CONTENT_TYPE,
            HeaderValue::from_static("application/x-www-form-urlencoded; charset=utf-8"),
        );

        let response = self.signed_send(request, identity, region, "ec2").await?;
        if !response.status().is_success() {
            let code = xml_error_code(response.body());
            return Err(rejected(action, code, response));
        }
        xml::parse(response.body()).map_err(|error| EmulatorError::Unreadable {
            operation: action.to_owned(),
            reason: error.to_string(),
        })
    }

    async fn signed_send(
        &self,
        mut request: Request<Bytes>,
        identity: &Identity,
        region: &str,
        service: &str,
    ) -> Result<Response<Bytes>, EmulatorError> {
        let signing = Signing {
            access_key_id: &identity.access_key_id,
            secret_access_key: &identity.secret_access_key,
            session_token: identity.session_token.as_deref(),
            region,
            service,
            time: OffsetDateTime::now_utc(),
        };
        sigv4::sign(&mut request, &signing)?;
        Ok(self.upstream.send(request).await?)
    }
}

fn rejected(operation: &str, code: Option<String>, response: Response<Bytes>) -> EmulatorError {
    EmulatorError::Rejected {
        operation: operation.to_owned(),
        code: code.unwrap_or_else(|| "unknown".to_owned()),
        response: Box::new(response),
    }
}

fn form_body(action: &str, params: &[(&str, &str)]) -> String {
    let mut form = form_urlencoded::Serializer::new(String::new());
    form.append_pair("Action", action);
    form.append_pair("Version", EC2_VERSION);
    for (name, value) in params {
        form.append_pair(name, value);
    }
    form.finish()
}

/// The `__type` of a JSON error, without any `prefix#`.
fn json_error_code(body: &[u8]) -> Option<String> {
    let value: serde_json::Value = serde_json::from_slice(body).ok()?;
    let code = value.get("__type")?.as_str()?;
    Some(code.rsplit('#').next().unwrap_or(code).to_owned())
}

/// The `Code` of an XML error, wherever it sits in the document.
fn xml_error_code(body: &[u8]) -> Option<String> {
    let root = xml::parse(body).ok()?;
    find_code(&root).map(str::to_owned)
}

fn find_code(element: &Element) -> Option<&str> {
    if element.name == "Code" {
        return Some(element.text.trim());
    }
    element.children.iter().find_map(find_code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_codes_are_read_from_both_shapes() {
        let json = br#"{"__type":"com.amazon#AWSOrganizationsNotInUseException","Message":"m"}"#;
        assert_eq!(
            json_error_code(json).as_deref(),
            Some("AWSOrganizationsNotInUseException")
        );

        let xml = b"<Response><Errors><Error><Code>InvalidVolume.NotFound</Code></Error></Errors>\
                    </Response>";
        assert_eq!(
            xml_error_code(xml).as_deref(),
            Some("InvalidVolume.NotFound")
        );
        assert_eq!(xml_error_code(b"not xml"), None);
    }

    #[test]
    fn form_bodies_carry_action_and_version() {
        let body = form_body("DescribeVolumes", &[("VolumeId.1", "vol-1 2")]);
        assert_eq!(
            body,
            "Action=DescribeVolumes&Version=2016-11-15&VolumeId.1=vol-1+2"
        );
    }
}
