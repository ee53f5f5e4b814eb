//! Which platform addresses a window may talk to (issue #13, product.md
//! §22): `https://`, or plain `http://` to this PC's loopback only (the
//! reference server in tests and demos). One rule for the config check
//! and the sync client, so they cannot disagree.

/// Why an address is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    NotAUrl,
    Credentials,
    PlainHttpOffLoopback,
    Scheme,
}

impl Refusal {
    pub fn en(self) -> &'static str {
        match self {
            Refusal::NotAUrl => "is not a URL",
            Refusal::Credentials => "must not carry a user name or password",
            Refusal::PlainHttpOffLoopback => {
                "plain http:// goes to this PC's loopback only (127.0.0.1, ::1, localhost): use https://"
            }
            Refusal::Scheme => "must be an https:// URL",
        }
    }

    pub fn zh(self) -> &'static str {
        match self {
            Refusal::NotAUrl => "不是有效的网址",
            Refusal::Credentials => "不得包含用户名或密码",
            Refusal::PlainHttpOffLoopback => {
                "http:// 仅限本机回环地址（127.0.0.1、::1、localhost），其他地址必须用 https://"
            }
            Refusal::Scheme => "必须是 https:// 地址",
        }
    }
}

/// `Ok(true)` for HTTPS, `Ok(false)` for plain HTTP to loopback.
pub fn platform_url(s: &str) -> Result<bool, Refusal> {
    let u = url::Url::parse(s).map_err(|_| Refusal::NotAUrl)?;
    if !u.username().is_empty() || u.password().is_some() {
        return Err(Refusal::Credentials);
    }
    match (u.scheme(), u.host()) {
        (_, None) => Err(Refusal::NotAUrl),
        ("https", Some(_)) => Ok(true),
        ("http", Some(h)) => {
            let loopback = match h {
                url::Host::Ipv4(ip) => ip.is_loopback(),
                url::Host::Ipv6(ip) => ip.is_loopback(),
                url::Host::Domain(d) => d.eq_ignore_ascii_case("localhost"),
            };
            if loopback {
                Ok(false)
            } else {
                Err(Refusal::PlainHttpOffLoopback)
            }
        }
        _ => Err(Refusal::Scheme),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn https_anywhere_plain_http_to_loopback_only() {
        let table: &[(&str, Result<bool, Refusal>)] = &[
            ("https://zwfw.baoshan.example.gov.cn", Ok(true)),
            ("https://10.53.5.2:8443/", Ok(true)),
            ("http://127.0.0.1:8080", Ok(false)),
            ("http://127.9.9.9:1", Ok(false)),
            ("http://localhost:8080/api", Ok(false)),
            ("http://[::1]:8080", Ok(false)),
            ("http://10.53.5.2:8080", Err(Refusal::PlainHttpOffLoopback)),
            (
                "http://zwfw.example.gov.cn",
                Err(Refusal::PlainHttpOffLoopback),
            ),
            (
                "http://127.0.0.1.evil.example",
                Err(Refusal::PlainHttpOffLoopback),
            ),
            (
                "http://localhost:80@evil.example",
                Err(Refusal::Credentials),
            ),
            (
                "https://user:pw@zwfw.example.gov.cn",
                Err(Refusal::Credentials),
            ),
            ("ftp://127.0.0.1", Err(Refusal::Scheme)),
            ("zwfw.example.gov.cn", Err(Refusal::NotAUrl)),
            ("https://", Err(Refusal::NotAUrl)),
        ];
        for (url, want) in table {
            assert_eq!(platform_url(url), *want, "{url}");
        }
    }
}
