//! The services the gateway serves, named by the signing name in the credential scope.

use http::HeaderMap;

/// A service behind the gateway.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Service {
    /// Amazon S3 (REST-XML).
    S3,
    /// Amazon EC2 (EC2 query protocol).
    Ec2,
    /// Amazon RDS (AWS query protocol).
    Rds,
    /// Amazon EFS (REST-JSON).
    Efs,
    /// AWS STS (AWS query protocol).
    Sts,
    /// AWS Organizations (JSON 1.1).
    Organizations,
}

impl Service {
    /// The service whose signing name is `name`, if the gateway serves it.
    pub(crate) fn from_signing_name(name: &str) -> Option<Self> {
        match name {
            "s3" => Some(Self::S3),
            "ec2" => Some(Self::Ec2),
            "rds" => Some(Self::Rds),
            "elasticfilesystem" => Some(Self::Efs),
            "sts" => Some(Self::Sts),
            "organizations" => Some(Self::Organizations),
            _ => None,
        }
    }

    /// The signing name, which is also the action prefix in policies for these services.
    pub(crate) fn signing_name(self) -> &'static str {
        match self {
            Self::S3 => "s3",
            Self::Ec2 => "ec2",
            Self::Rds => "rds",
            Self::Efs => "elasticfilesystem",
            Self::Sts => "sts",
            Self::Organizations => "organizations",
        }
    }

    /// A best guess at the service of a request whose signature could not be read, so that its
    /// refusal comes in a shape the caller's SDK understands.
    pub(crate) fn guess(path: &str, headers: &HeaderMap, form_body: &[u8]) -> Self {
        let target = headers
            .get("x-amz-target")
            .map(|value| String::from_utf8_lossy(value.as_bytes()).into_owned())
            .unwrap_or_default();
        if target.starts_with("AWSOrganizations") {
            return Self::Organizations;
        }
        if path.starts_with("/2015-02-01/") {
            return Self::Efs;
        }

        let version = form_urlencoded::parse(form_body)
            .find(|(name, _)| name == "Version")
            .map(|(_, value)| value.into_owned());
        match version.as_deref() {
            Some("2016-11-15") => Self::Ec2,
            Some("2014-10-31") => Self::Rds,
            Some("2011-06-15") => Self::Sts,
            _ => Self::S3,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;

    #[test]
    fn signing_names_round_trip() {
        for service in [
            Service::S3,
            Service::Ec2,
            Service::Rds,
            Service::Efs,
            Service::Sts,
            Service::Organizations,
        ] {
            assert_eq!(
                Service::from_signing_name(service.signing_name()),
                Some(service)
            );
        }
        assert_eq!(Service::from_signing_name("iam"), None);
    }

    #[test]
    fn guesses_follow_protocol_markers() {
        let none = HeaderMap::new();
        assert_eq!(
            Service::guess("/", &none, b"Action=RunInstances&Version=2016-11-15"),
            Service::Ec2
        );
        assert_eq!(
            Service::guess("/", &none, b"Version=2014-10-31"),
            Service::Rds
        );
        assert_eq!(
            Service::guess("/", &none, b"Version=2011-06-15"),
            Service::Sts
        );
        assert_eq!(
            Service::guess("/2015-02-01/file-systems", &none, b""),
            Service::Efs
        );
        assert_eq!(Service::guess("/bucket/key", &none, b""), Service::S3);

        let mut target = HeaderMap::new();
        target.insert(
            "x-amz-target",
            HeaderValue::from_static("AWSOrganizationsV20161128.ListRoots"),
        );
        assert_eq!(Service::guess("/", &target, b"{}"), Service::Organizations);
    }
}
