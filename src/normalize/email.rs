//! E-mail addresses: one raw cell → a lower-cased, syntax-checked [`Email`], plus the
//! two facts matching needs about an address: is the local part a shared role
//! mailbox (`info@`, `vertrieb@`), and is the domain a personal free-mail provider
//! (`gmail.com`, `hotmail.co.uk`, `web.de`)?
//!
//! Both lists are about *matching*: two people may share `info@acme.de`, and a
//! `gmail.com` domain says nothing about which company someone works for.
//! The syntax verdict comes from `email_address`; everything else is ours.

use crate::model::Email;
use email_address::{EmailAddress, Options};

/// Cleans and validates one address.
///
/// Trims, strips a `mailto:` prefix and a `Name <addr>` wrapper, lower-cases the whole
/// address (every large provider treats the local part case-insensitively), and checks
/// the syntax, requiring a dot in the domain. A comma is read as a mistyped dot
/// (`name@firm,com`). An invalid address keeps the trimmed raw
/// text, flagged `valid = false`, so nothing a user typed is lost.
///
/// ```
/// use listmerge::normalize::email::normalize;
///
/// let e = normalize("  Jane Doe <Jane.Doe@Example.COM> ");
/// assert_eq!((e.address.as_str(), e.valid), ("jane.doe@example.com", true));
/// assert_eq!(normalize("mailto:INFO@acme.de").address, "info@acme.de");
/// let bad = normalize(" joseph-email.com ");
/// assert_eq!((bad.address.as_str(), bad.valid), ("joseph-email.com", false));
/// ```
pub fn normalize(raw: &str) -> Email {
    let trimmed = raw.trim();
    let inner = unwrap_address(trimmed);
    let mut address = if inner.is_ascii() {
        inner.to_ascii_lowercase()
    } else {
        inner.to_lowercase()
    };
    // "name@firm,com": a comma is never valid outside quotes, and next to the dot on
    // every keyboard, so it is a typo for a dot.
    if address.contains(',') && !address.contains('"') {
        address = address.replace(',', ".");
    }
    let options = Options {
        minimum_sub_domains: 2,
        allow_domain_literal: false,
        allow_display_text: false,
        allow_long_local_parts: false,
    };
    if EmailAddress::parse_with_options(&address, options).is_ok() {
        Email {
            address,
            valid: true,
        }
    } else {
        Email {
            address: trimmed.to_string(),
            valid: false,
        }
    }
}

/// The bare address inside `mailto:`, `<...>` and quotes.
fn unwrap_address(s: &str) -> &str {
    let mut s = s;
    if let (Some(open), Some(close)) = (s.rfind('<'), s.rfind('>')) {
        if open < close {
            s = &s[open + 1..close];
        }
    }
    let s = s.trim().trim_matches(|c| c == '"' || c == '\'');
    let s = match s.get(..7) {
        Some(prefix) if prefix.eq_ignore_ascii_case("mailto:") => &s[7..],
        _ => s,
    };
    // A mailto link may carry "?subject=..."; the address ends before it.
    let s = s.split('?').next().unwrap_or(s);
    s.trim()
}

/// Whether a local part names a role or shared mailbox rather than a person.
///
/// Matches the whole local part (ignoring a `+tag` and trailing digits), and also a role
/// word qualified by short tokens such as a country or city code (`info.de`,
/// `sales-uk`, `kontakt_muc`). Covers English, German, French, Spanish, Italian,
/// Dutch, Polish and Nordic role names. `local` should be lower case.
///
/// ```
/// use listmerge::normalize::email::is_generic_local;
///
/// assert!(is_generic_local("info"));
/// assert!(is_generic_local("vertrieb"));
/// assert!(is_generic_local("sales-uk"));
/// assert!(is_generic_local("noreply"));
/// assert!(!is_generic_local("jane.doe"));
/// assert!(!is_generic_local("hr.smith"));
/// ```
pub fn is_generic_local(local: &str) -> bool {
    let local = local.split('+').next().unwrap_or(local);
    let local = local.trim_end_matches(|c: char| c.is_ascii_digit());
    if is_role_word(local) {
        return true;
    }
    let mut parts = local.split(['.', '-', '_']);
    let Some(first) = parts.next() else {
        return false;
    };
    let first = first.trim_end_matches(|c: char| c.is_ascii_digit());
    if !is_role_word(first) {
        return false;
    }
    let mut any = false;
    for part in parts {
        any = true;
        let qualifier = part.len() <= 3 || part.bytes().all(|b| b.is_ascii_digit());
        if !(qualifier || is_role_word(part)) {
            return false;
        }
    }
    any
}

/// Role and shared-mailbox words, lower case, ASCII (as they appear in addresses).
fn is_role_word(w: &str) -> bool {
    matches!(
        w,
        // English
        "info" | "information" | "sales" | "contact" | "contactus" | "contact-us"
            | "office" | "admin" | "administrator" | "hello" | "hi" | "team" | "support"
            | "help" | "helpdesk" | "service" | "services" | "customerservice"
            | "customer.service" | "marketing" | "mail" | "email" | "post" | "postmaster"
            | "hostmaster" | "webmaster" | "abuse" | "enquiries" | "enquiry" | "inquiries"
            | "inquiry" | "accounts" | "accounting" | "billing" | "invoice" | "invoices"
            | "finance" | "hr" | "jobs" | "careers" | "recruiting" | "recruitment"
            | "reception" | "frontdesk" | "noreply" | "no-reply" | "no_reply"
            | "donotreply" | "do-not-reply" | "newsletter" | "news" | "press" | "media"
            | "orders" | "order" | "shop" | "store" | "bookings" | "booking"
            | "reservations" | "general" | "mailbox" | "root" | "security" | "privacy"
            | "legal" | "compliance" | "purchasing" | "procurement" | "export"
            | "events" | "feedback" | "welcome" | "hq" | "headoffice" | "it" | "dpo"
            | "gdpr"
            // German
            | "kontakt" | "buero" | "buro" | "vertrieb" | "verkauf" | "einkauf"
            | "zentrale" | "anfrage" | "anfragen" | "bestellung" | "bestellungen"
            | "rechnung" | "rechnungen" | "buchhaltung" | "personal" | "karriere"
            | "bewerbung" | "empfang" | "sekretariat" | "verwaltung" | "kundenservice"
            | "kundendienst" | "datenschutz" | "presse" | "auftrag" | "service-center"
            // French
            | "contacto" | "bonjour" | "commercial" | "commercial.e" | "accueil"
            | "secretariat" | "direction" | "compta" | "comptabilite" | "facturation"
            | "emploi" | "recrutement" | "ventes" | "vente" | "devis" | "administration"
            // Spanish / Portuguese / Italian
            | "ventas" | "hola" | "informacion" | "administracion" | "comercial"
            | "atencion" | "atencionalcliente" | "clientes" | "pedidos" | "empleo"
            | "contato" | "vendas" | "geral" | "ola" | "informazioni" | "commerciale"
            | "amministrazione" | "ufficio" | "segreteria" | "vendite" | "ordini"
            | "assistenza" | "ciao" | "contatti"
            // Dutch
            | "verkoop" | "klantenservice" | "algemeen" | "administratie" | "receptie"
            | "facturen" | "boekhouding" | "inkoop" | "vacatures" | "hallo"
            // Polish / Czech
            | "biuro" | "kontakty" | "sprzedaz" | "handlowy"
            | "ksiegowosc" | "zamowienia" | "obchod" | "poptavky"
            // Nordic
            | "kundeservice" | "kundservice" | "salg" | "forsaljning" | "myynti"
            | "asiakaspalvelu" | "kontor"
    )
}

/// The registrable domain: the last two labels, or three under a second-level public
/// suffix such as `co.uk`, `com.au`, `co.jp`, `com.br`.
///
/// This is a deliberately small stand-in for the Public Suffix List: enough to tell
/// `hotmail.co.uk` and `mail.yahoo.com` apart from `gmail.com`, with no data file.
///
/// ```
/// use listmerge::normalize::email::registrable_domain;
///
/// assert_eq!(registrable_domain("mail.yahoo.co.uk"), "yahoo.co.uk");
/// assert_eq!(registrable_domain("eu.acme.de"), "acme.de");
/// assert_eq!(registrable_domain("localhost"), "localhost");
/// ```
pub fn registrable_domain(domain: &str) -> &str {
    let domain = domain.trim_end_matches('.');
    let mut dots = domain.rmatch_indices('.').map(|(i, _)| i);
    let Some(last) = dots.next() else {
        return domain;
    };
    let Some(second) = dots.next() else {
        return domain;
    };
    let tld = &domain[last + 1..];
    let sld = &domain[second + 1..last];
    let second_level_suffix = tld.len() == 2
        && matches!(
            sld,
            "co" | "com" | "net" | "org" | "ac" | "gov" | "edu" | "ne" | "or" | "gv" | "gob"
        );
    if !second_level_suffix {
        return &domain[second + 1..];
    }
    match dots.next() {
        Some(third) => &domain[third + 1..],
        None => domain,
    }
}

/// Whether a domain belongs to a personal (free or ISP) mailbox provider.
///
/// Compares the registrable domain, so subdomains and every country variant of the big
/// brands count: `hotmail.co.uk`, `hotmail.nl`, `yahoo.fr`, `gmx.at`, `yandex.kz`.
/// Also accepts a whole address (`jane@gmail.com`) and any case.
///
/// ```
/// use listmerge::normalize::email::is_free_mail;
///
/// assert!(is_free_mail("gmail.com"));
/// assert!(is_free_mail("hotmail.co.uk"));
/// assert!(is_free_mail("Web.DE"));
/// assert!(is_free_mail("wp.pl"));
/// assert!(!is_free_mail("siemens.de"));
/// ```
pub fn is_free_mail(domain: &str) -> bool {
    let domain = domain.rsplit('@').next().unwrap_or(domain).trim();
    if domain.bytes().any(|b| b.is_ascii_uppercase()) {
        return is_free_mail(&domain.to_ascii_lowercase());
    }
    let registrable = registrable_domain(domain);
    if is_free_registrable(registrable) {
        return true;
    }
    let brand = registrable.split('.').next().unwrap_or(registrable);
    is_free_brand(brand)
}

/// Brands that run personal mailboxes under many country domains.
fn is_free_brand(brand: &str) -> bool {
    matches!(
        brand,
        "hotmail"
            | "outlook"
            | "live"
            | "msn"
            | "windowslive"
            | "yahoo"
            | "ymail"
            | "rocketmail"
            | "gmx"
            | "yandex"
            | "aol"
            | "tiscali"
            | "wanadoo"
            | "protonmail"
            | "virginmedia"
    )
}

/// Free-mail and ISP domains (registrable form) that are not covered by a brand.
fn is_free_registrable(d: &str) -> bool {
    matches!(
        d,
        // global
        "gmail.com" | "googlemail.com" | "icloud.com" | "me.com" | "mac.com" | "mail.com"
            | "email.com" | "proton.me" | "pm.me" | "tutanota.com" | "tutanota.de"
            | "tuta.io" | "fastmail.com" | "fastmail.fm" | "hushmail.com" | "zoho.com"
            | "inbox.com" | "lycos.com"
            // Germany, Austria, Switzerland
            | "web.de" | "t-online.de" | "freenet.de" | "arcor.de" | "online.de"
            | "posteo.de" | "posteo.net" | "mailbox.org" | "vodafone.de" | "kabelmail.de"
            | "1und1.de" | "gmail.de" | "aon.at" | "chello.at" | "a1.net" | "bluewin.ch"
            | "hispeed.ch" | "sunrise.ch"
            // France, Belgium
            | "orange.fr" | "free.fr" | "laposte.net" | "sfr.fr" | "neuf.fr"
            | "club-internet.fr" | "bbox.fr" | "numericable.fr" | "aliceadsl.fr"
            | "voila.fr" | "skynet.be" | "telenet.be" | "scarlet.be" | "voo.be"
            // Italy, Spain, Portugal
            | "libero.it" | "virgilio.it" | "alice.it" | "tin.it" | "fastwebnet.it"
            | "email.it" | "inwind.it" | "iol.it" | "telefonica.net" | "terra.es"
            | "ya.com" | "movistar.es" | "sapo.pt"
            // UK, Ireland
            | "btinternet.com" | "btopenworld.com" | "sky.com" | "virgin.net"
            | "ntlworld.com" | "talktalk.net" | "blueyonder.co.uk" | "eircom.net"
            // Netherlands
            | "ziggo.nl" | "kpnmail.nl" | "kpnplanet.nl" | "planet.nl" | "home.nl"
            | "telfort.nl" | "hetnet.nl" | "xs4all.nl" | "casema.nl" | "chello.nl"
            | "quicknet.nl" | "upcmail.nl" | "zeelandnet.nl" | "hccnet.nl"
            // Poland, Czechia, Slovakia, Hungary
            | "wp.pl" | "onet.pl" | "onet.eu" | "op.pl" | "o2.pl" | "interia.pl"
            | "interia.eu" | "poczta.fm" | "gazeta.pl" | "tlen.pl" | "vp.pl" | "go2.pl"
            | "seznam.cz" | "centrum.cz" | "atlas.cz" | "volny.cz" | "email.cz"
            | "post.cz" | "azet.sk" | "centrum.sk" | "freemail.hu" | "citromail.hu"
            // Nordics
            | "telia.com" | "spray.se" | "bredband.net" | "online.no" | "jubii.dk"
            // Russia and neighbours
            | "mail.ru" | "bk.ru" | "list.ru" | "inbox.ru" | "rambler.ru" | "ya.ru"
            | "ukr.net" | "abv.bg"
            // Americas, Oceania
            | "comcast.net" | "verizon.net" | "att.net" | "sbcglobal.net"
            | "bellsouth.net" | "cox.net" | "charter.net" | "earthlink.net" | "juno.com"
            | "optonline.net" | "shaw.ca" | "rogers.com" | "sympatico.ca" | "videotron.ca"
            | "uol.com.br" | "bol.com.br" | "terra.com.br" | "ig.com.br"
            | "bigpond.com" | "bigpond.net.au" | "optusnet.com.au" | "xtra.co.nz"
            // Asia
            | "qq.com" | "163.com" | "126.com" | "yeah.net" | "sina.com" | "sina.cn"
            | "sohu.com" | "foxmail.com" | "aliyun.com" | "naver.com" | "daum.net"
            | "hanmail.net" | "rediffmail.com"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lower_cases_and_validates() {
        let e = normalize("P.MILLER@PEARCE2.COM");
        assert_eq!(
            (e.address.as_str(), e.valid),
            ("p.miller@pearce2.com", true)
        );
        assert_eq!(
            normalize(" k.bylina@warmuzrazniak.pl\t").address,
            "k.bylina@warmuzrazniak.pl"
        );
        assert!(normalize("JÜRGEN.MÜLLER@Müller.de").address == "jürgen.müller@müller.de");
    }

    #[test]
    fn comma_is_a_mistyped_dot() {
        assert_eq!(normalize("clerc@gaudin,fr").address, "clerc@gaudin.fr");
        assert_eq!(
            normalize("A,Brooks@Firma.co,uk").address,
            "a.brooks@firma.co.uk"
        );
        let e = normalize("a,,b@x,de");
        assert_eq!((e.address.as_str(), e.valid), ("a,,b@x,de", false));
    }

    #[test]
    fn strips_wrappers() {
        assert_eq!(normalize("mailto:Anna@Firma.de").address, "anna@firma.de");
        assert_eq!(
            normalize("MAILTO:anna@firma.de?subject=Hi").address,
            "anna@firma.de"
        );
        assert_eq!(
            normalize("\"Rossi, Mario\" <m.rossi@azienda.it>").address,
            "m.rossi@azienda.it"
        );
        assert_eq!(
            normalize("<j.kowalski@firma.pl>").address,
            "j.kowalski@firma.pl"
        );
        assert_eq!(normalize("'jan@bedrijf.nl'").address, "jan@bedrijf.nl");
    }

    #[test]
    fn invalid_keeps_trimmed_raw() {
        for raw in [
            "joseph-email.com",
            "john..doe@example.com",
            "a@b",
            "n/a",
            "",
            "Jane Doe",
        ] {
            let e = normalize(&format!("  {raw} "));
            assert_eq!((e.address.as_str(), e.valid), (raw, false), "{raw}");
        }
    }

    #[test]
    fn generic_locals_in_many_languages() {
        for local in [
            "info",
            "sales",
            "kontakt",
            "buero",
            "vertrieb",
            "contacto",
            "ventas",
            "bonjour",
            "commercial",
            "verkoop",
            "biuro",
            "info2",
            "info+news",
            "sales.de",
            "kontakt-muc",
            "no-reply",
            "noreply",
            "info_fr",
        ] {
            assert!(is_generic_local(local), "{local}");
        }
        for local in [
            "jane.doe",
            "m.rossi",
            "hr.smith",
            "infosys",
            "saleswoman",
            "",
            "post.jones",
        ] {
            assert!(!is_generic_local(local), "{local}");
        }
    }

    #[test]
    fn free_mail_country_variants() {
        for d in [
            "gmail.com",
            "googlemail.com",
            "hotmail.co.uk",
            "hotmail.nl",
            "hotmail.fr",
            "outlook.de",
            "live.it",
            "yahoo.es",
            "yahoo.com.br",
            "gmx.at",
            "gmx.net",
            "web.de",
            "t-online.de",
            "orange.fr",
            "libero.it",
            "ziggo.nl",
            "wp.pl",
            "seznam.cz",
            "yandex.ru",
            "mail.ru",
            "qq.com",
            "btinternet.com",
            "bluewin.ch",
            "mail.yahoo.co.jp",
            "jane@GMAIL.com",
            "gmail.com.",
        ] {
            assert!(is_free_mail(d), "{d}");
        }
        for d in [
            "siemens.de",
            "kobeltberatung.de",
            "bt.com",
            "gmail.example.com",
            "",
            "com",
        ] {
            assert!(!is_free_mail(d), "{d}");
        }
    }

    #[test]
    fn registrable_domains() {
        assert_eq!(registrable_domain("hotmail.co.uk"), "hotmail.co.uk");
        assert_eq!(registrable_domain("a.b.example.com.au"), "example.com.au");
        assert_eq!(registrable_domain("co.uk"), "co.uk");
        assert_eq!(registrable_domain(""), "");
    }

    proptest::proptest! {
        #[test]
        fn never_panics(s in "\\PC{0,40}") {
            let e = normalize(&s);
            let _ = is_generic_local(&s);
            let _ = is_free_mail(&s);
            let _ = registrable_domain(&s);
            proptest::prop_assert!(!e.valid || e.address.contains('@'));
        }

        #[test]
        fn idempotent(s in "[A-Za-z0-9._<> \",@-]{0,30}") {
            let once = normalize(&s);
            let twice = normalize(&once.address);
            proptest::prop_assert_eq!(&once, &twice);
        }
    }
}
