//! Checks of `scpcheck run`'s arguments that clap's types cannot make: the emulator's URL and
//! the region. A bad value is refused while the arguments are parsed, before anything starts.

/// The regions `--region` accepts, sorted: the current commercial, China and GovCloud regions.
/// moto answers a call in a region it does not know with an internal server error, so the list
/// is moto's own: every region of the partitions `aws`, `aws-cn` and `aws-us-gov` in which the
/// provisioned moto 5.2.1 serves EC2, S3, RDS, EFS and STS, read from the endpoint data of the
/// botocore it was installed with (1.44.8) through `boto3.Session().get_available_regions`.
/// moto also knows the ISO regions (`us-iso-east-1`, ...) and `eusc-de-east-1`; they are left
/// out because moto makes no default subnets in the ISO regions, so a run's instance fixtures
/// fail there, and because the operation catalogue does not derive the partition of
/// `eusc-de-east-1`, so its cases would carry ARNs of the wrong partition.
pub const AWS_REGIONS: &[&str] = &[
    "af-south-1",
    "ap-east-1",
    "ap-east-2",
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-northeast-3",
    "ap-south-1",
    "ap-south-2",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-southeast-3",
    "ap-southeast-4",
    "ap-southeast-5",
    "ap-southeast-6",
    "ap-southeast-7",
    "ca-central-1",
    "ca-west-1",
    "cn-north-1",
    "cn-northwest-1",
    "eu-central-1",
    "eu-central-2",
    "eu-north-1",
    "eu-south-1",
    "eu-south-2",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "il-central-1",
    "me-central-1",
    "me-south-1",
    "mx-central-1",
    "sa-east-1",
    "us-east-1",
    "us-east-2",
    "us-gov-east-1",
    "us-gov-west-1",
    "us-west-1",
    "us-west-2",
];

/// Accepts the regions of [`AWS_REGIONS`].
pub fn parse_region(text: &str) -> Result<String, String> {
    if AWS_REGIONS.binary_search(&text).is_ok() {
        return Ok(text.to_string());
    }
    Err(format!(
        "`{text}` is not an AWS region the emulator knows (a commercial, China or GovCloud region, \
         such as `eu-central-1`)"
    ))
}

/// Accepts the base URL of an emulator, `http://host:port` with an optional final `/`. Any
/// host is accepted; a path, query, fragment or user is refused, since every request goes to
/// the emulator's root, and so is `https`, since the gateway speaks plain HTTP to the emulator.
pub fn parse_emulator_url(text: &str) -> Result<String, String> {
    let refuse = |reason: &str| Err(format!("`{text}` is not `http://host:port`: {reason}"));
    let Some((scheme, rest)) = text.split_once("://") else {
        return refuse("it has no `http://`");
    };
    if scheme.eq_ignore_ascii_case("https") {
        return refuse("scpcheck reaches the emulator over plain HTTP only");
    }
    if scheme != "http" {
        return refuse(&format!("the scheme `{scheme}` is not `http`"));
    }
    let authority = rest.strip_suffix('/').unwrap_or(rest);
    if let Some(extra) = authority
        .chars()
        .find(|c| matches!(c, '/' | '?' | '#' | '@'))
    {
        let part = match extra {
            '/' => "a path",
            '?' => "a query",
            '#' => "a fragment",
            _ => "a user",
        };
        return refuse(&format!("{part} is not supported"));
    }
    let (host, port) = split_host_port(authority)
        .map_err(|reason| format!("`{text}` is not `http://host:port`: {reason}"))?;
    if !is_host(host) {
        return refuse(&format!("`{host}` is not a host name or address"));
    }
    // `u16::from_str` takes a leading `+`, which no URL has.
    let digits = !port.is_empty() && port.bytes().all(|byte| byte.is_ascii_digit());
    match port.parse::<u16>() {
        Ok(port) if port > 0 && digits => Ok(text.to_string()),
        _ => refuse(&format!("`{port}` is not a port from 1 to 65535")),
    }
}

/// Splits `host:port` or `[ipv6]:port`.
fn split_host_port(authority: &str) -> Result<(&str, &str), &'static str> {
    let (host, after_host) = match authority.strip_prefix('[') {
        Some(bracketed) => {
            let (address, after) = bracketed
                .split_once(']')
                .ok_or("an IPv6 address lacks its `]`")?;
            if address.parse::<std::net::Ipv6Addr>().is_err() {
                return Err("the address in brackets is not an IPv6 address");
            }
            (address, after)
        }
        None => match authority.find(':') {
            Some(colon) => authority.split_at(colon),
            None => (authority, ""),
        },
    };
    if host.is_empty() {
        return Err("it has no host");
    }
    let port = after_host
        .strip_prefix(':')
        .filter(|port| !port.is_empty())
        .ok_or("it has no port")?;
    Ok((host, port))
}

/// A DNS name, an IPv4 address or an IPv6 address (given in brackets).
fn is_host(host: &str) -> bool {
    host.parse::<std::net::Ipv6Addr>().is_ok()
        || host.split('.').all(|label| {
            !label.is_empty()
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_region_list_is_sorted_without_repeats() {
        assert!(AWS_REGIONS.is_sorted_by(|earlier, later| earlier < later));
    }

    #[test]
    fn regions_are_checked_against_the_list() {
        for region in ["eu-central-1", "us-east-1", "cn-north-1", "us-gov-west-1"] {
            assert_eq!(parse_region(region).as_deref(), Ok(region));
        }
        for region in [
            "xx-nowhere-9",
            "eu-central-99",
            "EU-CENTRAL-1",
            "eu-central",
            "",
        ] {
            let message = parse_region(region).unwrap_err();
            assert!(message.starts_with(&format!("`{region}` is not an AWS region")));
        }
    }

    #[test]
    fn any_host_with_a_port_is_accepted() {
        for url in [
            "http://127.0.0.1:5000",
            "http://127.0.0.1:5000/",
            "http://localhost:5000",
            "http://moto.internal.example:80",
            "http://moto_1:5000",
            "http://[::1]:5000",
        ] {
            assert_eq!(parse_emulator_url(url).as_deref(), Ok(url));
        }
    }

    #[test]
    fn malformed_urls_are_refused_with_the_reason() {
        let cases = [
            ("notaurl", "it has no `http://`"),
            ("127.0.0.1:5000", "it has no `http://`"),
            ("ftp://127.0.0.1:21", "the scheme `ftp` is not `http`"),
            (
                "https://127.0.0.1:5000",
                "scpcheck reaches the emulator over plain HTTP only",
            ),
            ("http://", "it has no host"),
            ("http://:5000", "it has no host"),
            ("http://127.0.0.1", "it has no port"),
            ("http://127.0.0.1:", "it has no port"),
            ("http://127.0.0.1:0", "`0` is not a port from 1 to 65535"),
            (
                "http://127.0.0.1:+5000",
                "`+5000` is not a port from 1 to 65535",
            ),
            (
                "http://127.0.0.1:70000",
                "`70000` is not a port from 1 to 65535",
            ),
            ("http://127.0.0.1:5000/prefix", "a path is not supported"),
            ("http://127.0.0.1:5000?x=1", "a query is not supported"),
            ("http://127.0.0.1:5000#top", "a fragment is not supported"),
            ("http://user@127.0.0.1:5000", "a user is not supported"),
            ("http://[::1:5000", "an IPv6 address lacks its `]`"),
            (
                "http://[moto]:5000",
                "the address in brackets is not an IPv6 address",
            ),
            ("http://mo to:5000", "`mo to` is not a host name or address"),
            (
                "http://moto..local:5000",
                "`moto..local` is not a host name or address",
            ),
        ];
        for (url, reason) in cases {
            assert_eq!(
                parse_emulator_url(url),
                Err(format!("`{url}` is not `http://host:port`: {reason}")),
                "{url}"
            );
        }
    }
}
