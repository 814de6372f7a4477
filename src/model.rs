//! Types that cross stage boundaries: ids, locators, raw records, rejects and
//! normalised contacts.
//!
//! A type lives here only if more than one stage uses it. Records are addressed by a
//! dense [`RecordId`]; every later stage refers to them by id, never by copying.

use std::fmt;

/// Dense index of an input record, assigned in import order (0-based).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RecordId(pub u32);

/// Index of a source (one file, or one `source` value inside a file, or one sheet).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SourceId(pub u16);

/// Index of an input file in [`Inputs::files`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FileId(pub u16);

/// Where a record came from: the file, the sheet (workbooks), the 1-based data row
/// (or card number) and the physical line it starts on.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Locator {
    /// The input file.
    pub file: FileId,
    /// The sheet of a workbook; `None` for text formats.
    pub sheet: Option<Box<str>>,
    /// 1-based data row (CSV, sheet) or card number (vCard, business cards).
    pub row: u32,
    /// 1-based physical line (or sheet row) the record starts on; 0 when unknown.
    pub line: u32,
}

/// One input file as the run saw it.
#[derive(Debug, Clone)]
pub struct FileInfo {
    /// The path as given on the command line or in `rules.toml`.
    pub path: String,
    /// A human description of the format detected (`csv ';' windows-1252`).
    pub format: String,
}

/// How an importer read one file, for `listmerge inspect`. Additive: an importer that
/// has nothing to say adds none, and every part is optional.
#[derive(Debug, Clone)]
pub struct FileLayout {
    /// The file this describes.
    pub file: FileId,
    /// The text encoding (`utf-8`, `windows-1252`, `utf-16le bom`).
    pub encoding: Option<String>,
    /// The delimiter of a delimited text file (`','`, `tab`).
    pub delimiter: Option<String>,
    /// The sheets of a workbook that were read.
    pub sheets: Vec<String>,
    /// The 1-based line (or sheet row) of the header row.
    pub header_line: Option<u32>,
    /// Each header as written → where its values go (`email`, `custom`, `ignored`).
    pub columns: Vec<(String, String)>,
}

/// One source: a name, a survivorship priority and a default phone country.
#[derive(Debug, Clone)]
pub struct SourceInfo {
    /// The source's name (`crm`, `outlook`, ...).
    pub name: String,
    /// Higher wins in `source-priority` survivorship.
    pub priority: i32,
    /// ISO 3166 alpha-2 code used for phone numbers without a country code.
    pub default_country: Option<String>,
}

/// The fields listmerge understands. Anything else is kept as a custom field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Field {
    /// The source's own stable record key (`id`, `Record ID`, `Contact ID`).
    RecordKey,
    /// The name of the originating system; splits one file into several sources.
    Source,
    /// `Dr.`, `Mrs.`, ...
    Prefix,
    /// Given (first) name.
    GivenName,
    /// Middle name(s).
    MiddleName,
    /// Family (last) name.
    FamilyName,
    /// `Jr.`, `PhD`, ...
    Suffix,
    /// A full name in one column ("Jane Doe", "Doe, Jane").
    FullName,
    /// A nickname column.
    Nickname,
    /// Job title.
    Title,
    /// Company / organisation.
    Company,
    /// Department / unit.
    Department,
    /// An e-mail address.
    Email,
    /// A work / landline phone.
    Phone,
    /// A mobile phone.
    Mobile,
    /// A home phone.
    HomePhone,
    /// A fax number.
    Fax,
    /// Street and house number (all street lines).
    Street,
    /// City / town.
    City,
    /// State, region, county.
    Region,
    /// Postal code.
    Postcode,
    /// Country (name or code).
    Country,
    /// Web site.
    Website,
    /// Date of birth.
    Birthday,
    /// Free-text notes.
    Notes,
    /// An unsubscribe / opt-out flag or status.
    Unsubscribed,
    /// A bounce flag or status.
    Bounced,
    /// A marketing-status column (`subscribed`, `unsubscribed`, `cleaned`, ...).
    Status,
    /// Last modified / last updated date.
    Updated,
}

impl Field {
    /// Every field, in output order.
    pub const ALL: [Field; 29] = [
        Field::RecordKey,
        Field::Source,
        Field::Prefix,
        Field::GivenName,
        Field::MiddleName,
        Field::FamilyName,
        Field::Suffix,
        Field::FullName,
        Field::Nickname,
        Field::Title,
        Field::Company,
        Field::Department,
        Field::Email,
        Field::Phone,
        Field::Mobile,
        Field::HomePhone,
        Field::Fax,
        Field::Street,
        Field::City,
        Field::Region,
        Field::Postcode,
        Field::Country,
        Field::Website,
        Field::Birthday,
        Field::Notes,
        Field::Unsubscribed,
        Field::Bounced,
        Field::Status,
        Field::Updated,
    ];

    /// The name used in `rules.toml` column mappings and in output headers.
    pub fn name(self) -> &'static str {
        match self {
            Field::RecordKey => "record_key",
            Field::Source => "source",
            Field::Prefix => "prefix",
            Field::GivenName => "given_name",
            Field::MiddleName => "middle_name",
            Field::FamilyName => "family_name",
            Field::Suffix => "suffix",
            Field::FullName => "full_name",
            Field::Nickname => "nickname",
            Field::Title => "title",
            Field::Company => "company",
            Field::Department => "department",
            Field::Email => "email",
            Field::Phone => "phone",
            Field::Mobile => "mobile",
            Field::HomePhone => "home_phone",
            Field::Fax => "fax",
            Field::Street => "street",
            Field::City => "city",
            Field::Region => "region",
            Field::Postcode => "postcode",
            Field::Country => "country",
            Field::Website => "website",
            Field::Birthday => "birthday",
            Field::Notes => "notes",
            Field::Unsubscribed => "unsubscribed",
            Field::Bounced => "bounced",
            Field::Status => "status",
            Field::Updated => "updated",
        }
    }

    /// Parses a field name as written in `rules.toml`.
    pub fn from_name(name: &str) -> Option<Field> {
        Field::ALL.iter().copied().find(|f| f.name() == name)
    }
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Where a column's value goes: a known field, or a custom field by index into
/// [`Inputs::custom_fields`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Target {
    /// A field listmerge understands.
    Known(Field),
    /// A column kept as it is, named by index into the custom-field table.
    Custom(u16),
}

/// One row / card as read, before normalisation. Values are trimmed and never empty.
#[derive(Debug, Clone)]
pub struct Record {
    /// The record's source.
    pub source: SourceId,
    /// Where it came from.
    pub locator: Locator,
    /// The raw values, in column order. A field may appear more than once
    /// (several e-mail columns). Emptied once the record is normalised.
    pub values: Values,
}

impl Record {
    /// The first value of a known field.
    pub fn get(&self, field: Field) -> Option<&str> {
        self.values.first(Target::Known(field))
    }

    /// Every value of a known field, in column order.
    pub fn all(&self, field: Field) -> impl Iterator<Item = &str> {
        self.values.all(Target::Known(field))
    }

    /// The record's values with a note of which known fields it has, for a caller that
    /// asks for many fields: normalising asks for some thirty, most of them absent, and
    /// an absent field then costs a bit test instead of a scan of every value.
    pub fn fields(&self) -> Fields<'_> {
        let present = self.values.targets.iter().fold(0u32, |m, (t, _)| match t {
            Target::Known(f) => m | Fields::bit(*f),
            Target::Custom(_) => m,
        });
        Fields {
            values: &self.values,
            present,
        }
    }
}

/// A record's raw values: which field each is for, and their text back to back.
///
/// Two allocations per record whatever its number of values. A list of separately
/// allocated strings cost ten or more allocations per row: on ten million rows, that
/// was half a gigabyte of allocator overhead and a large share of reading the file,
/// and as many frees when normalising let the values go.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Values {
    /// Each value's target and where its text ends in `text`.
    targets: Box<[(Target, u32)]>,
    text: Box<str>,
}

impl Values {
    /// The values in column order.
    pub fn iter(&self) -> impl Iterator<Item = (Target, &str)> + Clone + '_ {
        self.targets
            .iter()
            .enumerate()
            .map(|(i, &(t, _))| (t, self.text_of(i)))
    }

    /// The first value of `target`. Looks at the targets alone until it finds one:
    /// normalising asks for many fields of every record.
    pub fn first(&self, target: Target) -> Option<&str> {
        let i = self.targets.iter().position(|&(t, _)| t == target)?;
        Some(self.text_of(i))
    }

    /// Every value of `target`, in column order.
    pub fn all(&self, target: Target) -> impl Iterator<Item = &str> + '_ {
        self.targets
            .iter()
            .enumerate()
            .filter(move |&(_, &(t, _))| t == target)
            .map(|(i, _)| self.text_of(i))
    }

    /// The text of value `i`.
    fn text_of(&self, i: usize) -> &str {
        let start = match i {
            0 => 0,
            _ => self.targets[i - 1].1 as usize,
        };
        self.text
            .get(start..self.targets[i].1 as usize)
            .unwrap_or_default()
    }

    /// Number of values.
    pub fn len(&self) -> usize {
        self.targets.len()
    }

    /// True when there are none.
    pub fn is_empty(&self) -> bool {
        self.targets.is_empty()
    }
}

impl fmt::Debug for Values {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl<S: AsRef<str>> FromIterator<(Target, S)> for Values {
    fn from_iter<I: IntoIterator<Item = (Target, S)>>(iter: I) -> Values {
        let mut b = ValuesBuilder::default();
        for (t, v) in iter {
            b.push(t, v.as_ref());
        }
        b.build()
    }
}

/// Gathers one record's values, to be reused from row to row: the scratch space
/// grows to the widest row once, and each record then costs the two allocations of
/// its [`Values`].
#[derive(Debug, Default)]
pub struct ValuesBuilder {
    /// (target, start, end) in `text`.
    items: Vec<(Target, u32, u32)>,
    text: String,
}

impl ValuesBuilder {
    /// Forgets the values gathered so far.
    pub fn clear(&mut self) {
        self.items.clear();
        self.text.clear();
    }

    /// Adds a value.
    pub fn push(&mut self, target: Target, value: &str) {
        let start = self.offset();
        self.text.push_str(value);
        let end = self.offset();
        self.items.push((target, start, end));
    }

    /// Appends `", value"` to the first value of `target`; false when there is none.
    pub fn append_to(&mut self, target: Target, value: &str) -> bool {
        let Some(i) = self.items.iter().position(|(t, _, _)| *t == target) else {
            return false;
        };
        // The joined text goes at the end; `build` copies only the live ranges.
        let (_, s, e) = self.items[i];
        let start = self.offset();
        self.text.extend_from_within(s as usize..e as usize);
        self.text.push_str(", ");
        self.text.push_str(value);
        self.items[i] = (target, start, self.offset());
        true
    }

    /// True when no value was added.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// The values gathered, in the order added; the builder is left empty.
    pub fn build(&mut self) -> Values {
        let live: usize = self.items.iter().map(|&(_, s, e)| (e - s) as usize).sum();
        let mut text = String::with_capacity(live);
        let mut targets = Vec::with_capacity(self.items.len());
        for &(t, s, e) in &self.items {
            text.push_str(&self.text[s as usize..e as usize]);
            targets.push((t, text.len() as u32));
        }
        self.clear();
        Values {
            targets: targets.into_boxed_slice(),
            text: text.into_boxed_str(),
        }
    }

    /// Where the next text goes. A row's text beyond 4 GiB is not something a contact
    /// file holds; the offset saturates rather than wraps.
    fn offset(&self) -> u32 {
        u32::try_from(self.text.len()).unwrap_or(u32::MAX)
    }
}

/// A record's values, indexed by which known fields are present: see [`Record::fields`].
#[derive(Debug, Clone, Copy)]
pub struct Fields<'a> {
    values: &'a Values,
    present: u32,
}

const _: () = assert!(
    Field::ALL.len() <= 32,
    "a field's bit must fit in Fields::present"
);

impl<'a> Fields<'a> {
    fn bit(f: Field) -> u32 {
        1 << (f as u32)
    }

    fn has(&self, f: Field) -> bool {
        self.present & Self::bit(f) != 0
    }

    /// The first value of a known field (as [`Record::get`]).
    pub fn get(&self, field: Field) -> Option<&'a str> {
        if !self.has(field) {
            return None;
        }
        self.values.first(Target::Known(field))
    }

    /// Every value of a known field, in column order (as [`Record::all`]).
    pub fn all(&self, field: Field) -> impl Iterator<Item = &'a str> {
        let has = self.has(field);
        self.values
            .all(Target::Known(field))
            .take(if has { usize::MAX } else { 0 })
    }
}

/// A row that could not be read, with where it was and why.
#[derive(Debug, Clone)]
pub struct Reject {
    /// Where the row was.
    pub locator: Locator,
    /// The source it belonged to, when known.
    pub source: Option<SourceId>,
    /// Why it could not be read (no personal data in here).
    pub reason: String,
}

/// A parsed personal name. Every part keeps its accents and case as written
/// (tidied: "JANE" becomes "Jane"). Owned as parsing builds it; [`NameRef`] borrows
/// the parts from a [`Contact`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PersonName<S = String> {
    /// `Dr.`, `Mrs.`, ...
    pub prefix: S,
    /// Given name.
    pub given: S,
    /// Middle names, space separated.
    pub middle: S,
    /// Family name, with its particles ("van der Berg").
    pub family: S,
    /// `Jr.`, `PhD`, ...
    pub suffix: S,
}

/// An e-mail address as normalised.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email {
    /// Trimmed, lower-cased address (the raw text when invalid).
    pub address: String,
    /// Whether the address passed the syntax check.
    pub valid: bool,
}

/// What kind of phone a number is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PhoneKind {
    /// Work / landline / unspecified.
    Work,
    /// Mobile.
    Mobile,
    /// Home.
    Home,
    /// Fax.
    Fax,
}

impl PhoneKind {
    /// Lower-case name for outputs.
    pub fn name(self) -> &'static str {
        match self {
            PhoneKind::Work => "work",
            PhoneKind::Mobile => "mobile",
            PhoneKind::Home => "home",
            PhoneKind::Fax => "fax",
        }
    }
}

/// A phone number as normalised.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Phone {
    /// E.164 (`+442079460958`) when the number could be parsed, else the raw text.
    pub number: String,
    /// Extension digits, if any.
    pub extension: String,
    /// The national significant number's digits (no country code, no trunk `0`), or 0
    /// when the text held no usable digits. Matching compares this, so a number
    /// written with and without its country code still agrees.
    pub national: u64,
    /// The kind of phone.
    pub kind: PhoneKind,
}

/// A postal address, as written (tidied) for display. Owned as normalisation builds
/// it; [`AddressRef`] borrows the parts from a [`Contact`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Address<S = String> {
    /// Street and number.
    pub street: S,
    /// City.
    pub city: S,
    /// Region / state.
    pub region: S,
    /// Postcode, upper-cased.
    pub postcode: S,
    /// Country as written.
    pub country: S,
    /// ISO 3166 alpha-2 code when the country could be recognised.
    pub country_code: Option<&'static str>,
}

/// A name as a [`Contact`] holds it: its parts borrowed.
pub type NameRef<'a> = PersonName<&'a str>;

/// An address as a [`Contact`] holds it: its parts borrowed.
pub type AddressRef<'a> = Address<&'a str>;

/// A contact's values before they are packed into a [`Contact`]: what normalisation
/// builds, and what tests write by hand.
#[derive(Debug, Clone, Default)]
pub struct ContactValues {
    /// The parsed name.
    pub name: PersonName,
    /// E-mail addresses, in source order, deduplicated.
    pub emails: Vec<Email>,
    /// Phone numbers, in source order, deduplicated.
    pub phones: Vec<Phone>,
    /// Company as written (tidied).
    pub company: String,
    /// Job title.
    pub title: String,
    /// Postal address.
    pub address: Address,
    /// Web site.
    pub website: String,
    /// Date of birth, ISO when it could be parsed.
    pub birthday: String,
    /// Notes.
    pub notes: String,
    /// Unsubscribed / opted out.
    pub unsubscribed: bool,
    /// Address bounced.
    pub bounced: bool,
    /// Last-updated date, ISO when it could be parsed.
    pub updated: String,
    /// Custom fields: (index into the custom-field table, value).
    pub custom: Vec<(u16, String)>,
    /// The source's own record key, if mapped.
    pub record_key: Option<String>,
}

/// The text fields of a [`Contact`], in the order they are packed.
#[derive(Debug, Clone, Copy)]
enum Text {
    Prefix,
    Given,
    Middle,
    Family,
    Suffix,
    Company,
    Title,
    Street,
    City,
    Region,
    Postcode,
    Country,
    Website,
    Birthday,
    Notes,
    Updated,
    RecordKey,
}

const TEXT_FIELDS: usize = Text::RecordKey as usize + 1;

/// A record after normalisation: typed, tidied values for display and output.
/// Match keys live in `normalize::keys`, built once from this.
///
/// A contact lives from normalisation to the last output, a million of them at a time,
/// so its text fields share one allocation (ends kept as offsets) and its lists are
/// boxed slices without spare room. With a `String` per field and growable lists, a
/// contact took about 1.2 KB in ten allocations; packed, about a third of that.
#[derive(Debug, Clone, Default)]
pub struct Contact {
    text: Box<str>,
    ends: [u32; TEXT_FIELDS],
    emails: Box<[Email]>,
    phones: Box<[Phone]>,
    custom: Box<[(u16, Box<str>)]>,
    country_code: Option<&'static str>,
    unsubscribed: bool,
    bounced: bool,
}

impl From<ContactValues> for Contact {
    fn from(v: ContactValues) -> Contact {
        let record_key = v.record_key.unwrap_or_default();
        let parts: [&str; TEXT_FIELDS] = [
            &v.name.prefix,
            &v.name.given,
            &v.name.middle,
            &v.name.family,
            &v.name.suffix,
            &v.company,
            &v.title,
            &v.address.street,
            &v.address.city,
            &v.address.region,
            &v.address.postcode,
            &v.address.country,
            &v.website,
            &v.birthday,
            &v.notes,
            &v.updated,
            &record_key,
        ];
        let mut text = String::with_capacity(parts.iter().map(|p| p.len()).sum());
        let mut ends = [0u32; TEXT_FIELDS];
        for (end, part) in ends.iter_mut().zip(parts) {
            text.push_str(part);
            // A contact is one row or card; its text never nears 4 GiB.
            *end = u32::try_from(text.len()).unwrap_or(u32::MAX);
        }
        let mut emails = v.emails;
        for e in &mut emails {
            e.address.shrink_to_fit();
        }
        let mut phones = v.phones;
        for p in &mut phones {
            p.number.shrink_to_fit();
            p.extension.shrink_to_fit();
        }
        Contact {
            text: text.into_boxed_str(),
            ends,
            emails: emails.into_boxed_slice(),
            phones: phones.into_boxed_slice(),
            custom: v.custom.into_iter().map(|(i, s)| (i, s.into())).collect(),
            country_code: v.address.country_code,
            unsubscribed: v.unsubscribed,
            bounced: v.bounced,
        }
    }
}

/// Accessors for a contact's single text fields.
macro_rules! text_fields {
    ($($(#[$doc:meta])* $name:ident => $field:ident;)*) => {
        impl Contact {
            $($(#[$doc])* pub fn $name(&self) -> &str {
                self.text(Text::$field)
            })*
        }
    };
}

text_fields! {
    /// Company as written (tidied).
    company => Company;
    /// Job title.
    title => Title;
    /// Web site.
    website => Website;
    /// Date of birth, ISO when it could be parsed.
    birthday => Birthday;
    /// Notes.
    notes => Notes;
    /// Last-updated date, ISO when it could be parsed.
    updated => Updated;
}

impl Contact {
    /// How many text fields a contact packs.
    pub const TEXT_FIELDS: usize = TEXT_FIELDS;

    /// The packed text and the end offset of each field, for [`crate::spill`].
    pub fn packed_text(&self) -> (&str, &[u32; TEXT_FIELDS]) {
        (&self.text, &self.ends)
    }

    /// A contact from what [`Contact::packed_text`] and the accessors gave, for
    /// [`crate::spill`]; `None` when the offsets do not fit the text.
    pub fn unpack(
        text: &str,
        ends: [u32; TEXT_FIELDS],
        emails: Vec<Email>,
        phones: Vec<Phone>,
        custom: Vec<(u16, Box<str>)>,
        country_code: Option<&'static str>,
        (unsubscribed, bounced): (bool, bool),
    ) -> Option<Contact> {
        let mut start = 0;
        for &end in &ends {
            let end = end as usize;
            if end < start || !text.is_char_boundary(end) {
                return None;
            }
            start = end;
        }
        (start == text.len()).then(|| Contact {
            text: text.into(),
            ends,
            emails: emails.into_boxed_slice(),
            phones: phones.into_boxed_slice(),
            custom: custom.into_boxed_slice(),
            country_code,
            unsubscribed,
            bounced,
        })
    }

    fn text(&self, field: Text) -> &str {
        let i = field as usize;
        let start = if i == 0 { 0 } else { self.ends[i - 1] as usize };
        self.text
            .get(start..self.ends[i] as usize)
            .unwrap_or_default()
    }

    /// The parsed name.
    pub fn name(&self) -> NameRef<'_> {
        NameRef {
            prefix: self.text(Text::Prefix),
            given: self.text(Text::Given),
            middle: self.text(Text::Middle),
            family: self.text(Text::Family),
            suffix: self.text(Text::Suffix),
        }
    }

    /// Postal address.
    pub fn address(&self) -> AddressRef<'_> {
        AddressRef {
            street: self.text(Text::Street),
            city: self.text(Text::City),
            region: self.text(Text::Region),
            postcode: self.text(Text::Postcode),
            country: self.text(Text::Country),
            country_code: self.country_code,
        }
    }

    /// E-mail addresses, in source order, deduplicated.
    pub fn emails(&self) -> &[Email] {
        &self.emails
    }

    /// Phone numbers, in source order, deduplicated.
    pub fn phones(&self) -> &[Phone] {
        &self.phones
    }

    /// The source's own record key, if mapped.
    pub fn record_key(&self) -> Option<&str> {
        Some(self.text(Text::RecordKey)).filter(|k| !k.is_empty())
    }

    /// Custom fields: (index into the custom-field table, value).
    pub fn custom(&self) -> &[(u16, Box<str>)] {
        &self.custom
    }

    /// Unsubscribed / opted out.
    pub fn unsubscribed(&self) -> bool {
        self.unsubscribed
    }

    /// Asks the processor to start loading this contact, without waiting for it.
    pub(crate) fn prefetch(&self) {
        crate::prefetch_value(self);
    }

    /// Asks the processor to start loading this contact's text, e-mails and phones.
    pub(crate) fn prefetch_heap(&self) {
        crate::prefetch(self.text.as_ptr());
        crate::prefetch(self.emails.as_ptr().cast());
        crate::prefetch(self.phones.as_ptr().cast());
    }

    /// Asks the processor to start loading the text of this contact's e-mail addresses
    /// and phone numbers (after [`Contact::prefetch_heap`] has brought their lists).
    pub(crate) fn prefetch_strings(&self) {
        for e in self.emails.iter() {
            crate::prefetch(e.address.as_ptr());
        }
        for p in self.phones.iter() {
            crate::prefetch(p.number.as_ptr());
        }
    }

    /// Address bounced.
    pub fn bounced(&self) -> bool {
        self.bounced
    }
}

/// Everything import produced: files, sources, records and rejects.
#[derive(Debug, Default)]
pub struct Inputs {
    /// Input files, indexed by [`FileId`].
    pub files: Vec<FileInfo>,
    /// Sources, indexed by [`SourceId`].
    pub sources: Vec<SourceInfo>,
    /// Names of custom columns, indexed by `Target::Custom`.
    pub custom_fields: Vec<String>,
    /// Records, indexed by [`RecordId`].
    pub records: Vec<Record>,
    /// Rows that could not be read.
    pub rejects: Vec<Reject>,
    /// How each file was read, for `inspect` (at most one per file; see [`FileLayout`]).
    pub layouts: Vec<FileLayout>,
}

/// A record of the first file's first row holding `values`, for tests.
#[cfg(test)]
pub(crate) fn test_record(values: &[(Target, &str)]) -> Record {
    Record {
        source: SourceId(0),
        locator: Locator {
            file: FileId(0),
            sheet: None,
            row: 1,
            line: 2,
        },
        values: values.iter().map(|&(t, v)| (t, v)).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packed_values_read_back_as_added() {
        let mut b = ValuesBuilder::default();
        b.push(Target::Known(Field::Street), "Lindenstraße 12");
        b.push(Target::Custom(3), "vip");
        b.push(Target::Known(Field::Email), "ann@example.org");
        assert!(b.append_to(Target::Known(Field::Street), "Hinterhaus"));
        assert!(!b.append_to(Target::Known(Field::City), "Köln"));
        b.push(Target::Known(Field::Email), "");
        let v = b.build();
        assert!(
            b.is_empty(),
            "building leaves the builder ready for the next row"
        );
        let got: Vec<(Target, &str)> = v.iter().collect();
        assert_eq!(
            got,
            [
                (Target::Known(Field::Street), "Lindenstraße 12, Hinterhaus"),
                (Target::Custom(3), "vip"),
                (Target::Known(Field::Email), "ann@example.org"),
                (Target::Known(Field::Email), ""),
            ]
        );
        assert_eq!(v.len(), 4);
        // The builder's scratch space is reused, and a second row shares nothing
        // with the first.
        b.push(Target::Known(Field::City), "Zürich");
        let w = b.build();
        assert_eq!(
            w.iter().collect::<Vec<_>>(),
            [(Target::Known(Field::City), "Zürich")]
        );
        assert_eq!(v.iter().count(), 4);
        let same: Values = got.iter().copied().collect();
        assert_eq!(same, v);
        assert!(Values::default().is_empty());
    }

    #[test]
    fn fields_answer_as_the_record_does() {
        let values = [
            (Target::Known(Field::Email), "a@x.com"),
            (Target::Custom(0), "vip"),
            (Target::Known(Field::GivenName), "Ann"),
            (Target::Known(Field::Email), "b@y.org"),
            (Target::Known(Field::Updated), "2024-01-02"),
            (Target::Known(Field::Street), ""),
        ];
        let record = test_record(&values);
        let fields = record.fields();
        for f in Field::ALL {
            assert_eq!(fields.get(f), record.get(f), "{f:?}");
            assert_eq!(
                fields.all(f).collect::<Vec<_>>(),
                record.all(f).collect::<Vec<_>>(),
                "{f:?}"
            );
        }
        assert_eq!(fields.all(Field::Email).count(), 2);
        assert_eq!(fields.get(Field::Street), Some(""));
        assert_eq!(fields.get(Field::Company), None);
    }
}
