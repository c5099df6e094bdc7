//! Turning a wire request back into a catalogue operation and its parameters.
//!
//! Parsing is pure: facts that live in the emulator (an image's root device, whether a volume
//! is encrypted) are named as [`Pending`] lookups and filled in before the decision.

mod ec2;
mod efs;
pub(crate) mod organizations;
mod rds;
mod s3;
pub(crate) mod sts;

use std::collections::BTreeMap;

use http::{HeaderMap, Method};
use percent_encoding::percent_decode_str;
use scpcheck_scenario::{ParamValue, Params};

use crate::denial::{Refusal, RefusalKind};
use crate::service::Service;

/// A request as it arrived, body read.
#[derive(Debug, Clone, Copy)]
pub(crate) struct WireRequest<'a> {
    /// The HTTP method.
    pub method: &'a Method,
    /// The path as sent, still percent-encoded.
    pub raw_path: &'a str,
    /// The query string as sent, without the `?`.
    pub raw_query: Option<&'a str>,
    /// The request headers.
    pub headers: &'a HeaderMap,
    /// The whole body.
    pub body: &'a [u8],
}

/// A block device mapping of `RunInstances`, as requested.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct DeviceMapping {
    /// The device name, e.g. `/dev/xvda`.
    pub device_name: String,
    /// `Ebs.Encrypted`, when given.
    pub encrypted: Option<bool>,
}

/// A fact to read from the emulator before the call can be decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Pending {
    /// `RunInstances`: which mapping is the image's root device.
    ImageRootDevice {
        /// The image launched.
        image_id: String,
        /// The requested mappings, in request order.
        mappings: Vec<DeviceMapping>,
    },
    /// `CreateSnapshot`: whether the source volume is encrypted.
    VolumeEncryption {
        /// The source volume.
        volume_id: String,
    },
    /// `CreateSnapshots`: the instance's volumes and their encryption.
    InstanceVolumes {
        /// The source instance.
        instance_id: String,
    },
}

/// A request understood as a catalogue operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ParsedCall {
    /// The catalogue operation, e.g. `ec2:CreateVolume`.
    pub operation: &'static str,
    /// The parameters read from the request.
    pub params: Params,
    /// What must still be read from the emulator.
    pub pending: Option<Pending>,
}

impl ParsedCall {
    fn new(operation: &'static str, params: Params) -> Self {
        Self {
            operation,
            params,
            pending: None,
        }
    }

    /// Whether the decision depends on the account's EBS encryption by default.
    pub(crate) fn needs_ebs_default(&self) -> bool {
        matches!(self.operation, "ec2:RunInstances" | "ec2:CreateVolume")
    }
}

/// Parses a request to one of the services whose calls are evaluated against the SCPs.
pub(crate) fn parse(service: Service, request: &WireRequest<'_>) -> Result<ParsedCall, Refusal> {
    match service {
        Service::Ec2 => ec2::parse(request),
        Service::S3 => s3::parse(request),
        Service::Rds => rds::parse(request),
        Service::Efs => efs::parse(request),
        Service::Sts | Service::Organizations => Err(unknown_operation(format!(
            "`{}` calls are not evaluated against SCPs",
            service.signing_name()
        ))),
    }
}

/// The parameters of a query-protocol request: query string and form body together. A name
/// given twice is refused, so that the gateway and the emulator cannot read different values.
pub(crate) fn query_protocol_params(
    request: &WireRequest<'_>,
) -> Result<BTreeMap<String, String>, Refusal> {
    let from_query = request
        .raw_query
        .map(|query| form_urlencoded::parse(query.as_bytes()))
        .into_iter()
        .flatten();
    let from_body = form_urlencoded::parse(request.body);

    let mut params = BTreeMap::new();
    for (name, value) in from_query.chain(from_body) {
        if params
            .insert(name.to_string(), value.into_owned())
            .is_some()
        {
            return Err(invalid_parameter(format!(
                "parameter `{name}` is given more than once"
            )));
        }
    }
    Ok(params)
}

/// Reads a query-protocol boolean, `true` or `false` in any letter case.
pub(crate) fn parse_bool(name: &str, value: &str) -> Result<bool, Refusal> {
    if value.eq_ignore_ascii_case("true") {
        Ok(true)
    } else if value.eq_ignore_ascii_case("false") {
        Ok(false)
    } else {
        Err(invalid_parameter(format!(
            "parameter `{name}` must be `true` or `false`, not `{value}`"
        )))
    }
}

/// Reads a query-protocol integer.
pub(crate) fn parse_int(name: &str, value: &str) -> Result<i64, Refusal> {
    value.parse().map_err(|_| {
        invalid_parameter(format!(
            "parameter `{name}` must be an integer, not `{value}`"
        ))
    })
}

/// Percent-decodes one path segment or query component.
pub(crate) fn decode(name: &str, raw: &str) -> Result<String, Refusal> {
    percent_decode_str(raw)
        .decode_utf8()
        .map(|text| text.into_owned())
        .map_err(|_| invalid_parameter(format!("{name} `{raw}` is not utf-8 once decoded")))
}

/// Copies an optional string parameter.
fn put_str(params: &mut Params, name: &str, value: Option<&String>) {
    if let Some(value) = value {
        params.insert(name.to_owned(), ParamValue::Str(value.clone()));
    }
}

/// Copies an optional boolean parameter, refusing values that are not booleans.
fn put_bool(
    params: &mut Params,
    name: &str,
    wire_name: &str,
    value: Option<&String>,
) -> Result<(), Refusal> {
    if let Some(value) = value {
        params.insert(
            name.to_owned(),
            ParamValue::Bool(parse_bool(wire_name, value)?),
        );
    }
    Ok(())
}

/// A refusal for a request the gateway does not evaluate.
pub(crate) fn unknown_operation(message: String) -> Refusal {
    Refusal::new(RefusalKind::UnknownOperation, message)
}

/// A refusal for a parameter that cannot be read.
pub(crate) fn invalid_parameter(message: String) -> Refusal {
    Refusal::new(RefusalKind::InvalidParameter, message)
}

#[cfg(test)]
pub(crate) mod test_support {
    use super::*;

    /// Holds the owned parts of a request so tests can build [`WireRequest`]s.
    pub(crate) struct OwnedRequest {
        pub method: Method,
        pub path: String,
        pub query: Option<String>,
        pub headers: HeaderMap,
        pub body: Vec<u8>,
    }

    impl OwnedRequest {
        pub(crate) fn new(method: Method, path_and_query: &str, body: &[u8]) -> Self {
            let (path, query) = match path_and_query.split_once('?') {
                Some((path, query)) => (path.to_owned(), Some(query.to_owned())),
                None => (path_and_query.to_owned(), None),
            };
            Self {
                method,
                path,
                query,
                headers: HeaderMap::new(),
                body: body.to_vec(),
            }
        }

        pub(crate) fn header(mut self, name: &'static str, value: &'static str) -> Self {
            self.headers
                .insert(name, http::HeaderValue::from_static(value));
            self
        }

        pub(crate) fn wire(&self) -> WireRequest<'_> {
            WireRequest {
                method: &self.method,
                raw_path: &self.path,
                raw_query: self.query.as_deref(),
                headers: &self.headers,
                body: &self.body,
            }
        }
    }

    /// Params from pairs.
    pub(crate) fn params(pairs: &[(&str, ParamValue)]) -> Params {
        pairs
            .iter()
            .map(|(name, value)| ((*name).to_owned(), value.clone()))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::test_support::OwnedRequest;
    use super::*;

    #[test]
    fn query_and_body_params_merge_but_never_repeat() {
        let request = OwnedRequest::new(Method::POST, "/?Action=CreateVolume", b"Size=8");
        let params = query_protocol_params(&request.wire()).unwrap();
        assert_eq!(
            params.get("Action").map(String::as_str),
            Some("CreateVolume")
        );
        assert_eq!(params.get("Size").map(String::as_str), Some("8"));

        let twice = OwnedRequest::new(Method::POST, "/?Action=A", b"Action=B");
        let refusal = query_protocol_params(&twice.wire()).unwrap_err();
        assert_eq!(refusal.kind, RefusalKind::InvalidParameter);
        assert_eq!(
            refusal.message,
            "parameter `Action` is given more than once"
        );
    }

    #[test]
    fn booleans_and_integers_are_strict() {
        assert_eq!(parse_bool("Encrypted", "TRUE"), Ok(true));
        assert_eq!(parse_bool("Encrypted", "false"), Ok(false));
        assert_eq!(
            parse_bool("Encrypted", "yes").unwrap_err().message,
            "parameter `Encrypted` must be `true` or `false`, not `yes`"
        );
        assert_eq!(parse_int("Size", "8"), Ok(8));
        assert!(parse_int("Size", "8GB").is_err());
    }
}
