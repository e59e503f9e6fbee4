//! Reads an enum value's serde variant name without serialising it: a
//! serializer that stops at the first variant name it is shown.
//!
//! Serde hands a variant's name as `&'static str` to `serialize_*_variant`
//! (externally tagged enums) or, for adjacently tagged ones
//! (`tag = "name", content = "data"`), as the value of the tag field.

use serde::ser::{self, Impossible, Serialize, Serializer};
use std::fmt;

/// The serde variant name of `value`, if it is an enum in the
/// externally or adjacently tagged form.
pub fn variant_name<T: Serialize + ?Sized>(value: &T) -> Option<&'static str> {
    match value.serialize(Capture) {
        Err(Found::Name(n)) => Some(n),
        _ => None,
    }
}

/// The serializer's "error": the name, or that there is none.
#[derive(Debug)]
enum Found {
    Name(&'static str),
    None,
}

impl fmt::Display for Found {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{self:?}")
    }
}
impl std::error::Error for Found {}
impl ser::Error for Found {
    fn custom<M: fmt::Display>(_: M) -> Found {
        Found::None
    }
}

struct Capture;

/// The adjacently tagged form: a struct whose first field is the tag.
struct Tagged;

impl ser::SerializeStruct for Tagged {
    type Ok = ();
    type Error = Found;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        _key: &'static str,
        value: &T,
    ) -> Result<(), Found> {
        match value.serialize(Capture) {
            Err(Found::Name(n)) => Err(Found::Name(n)),
            _ => Err(Found::None),
        }
    }
    fn end(self) -> Result<(), Found> {
        Err(Found::None)
    }
}

macro_rules! none {
    ($($f:ident($($t:ty),*);)*) => {
        $(fn $f(self, $(_: $t),*) -> Result<(), Found> { Err(Found::None) })*
    };
}

impl Serializer for Capture {
    type Ok = ();
    type Error = Found;
    type SerializeSeq = Impossible<(), Found>;
    type SerializeTuple = Impossible<(), Found>;
    type SerializeTupleStruct = Impossible<(), Found>;
    type SerializeTupleVariant = Impossible<(), Found>;
    type SerializeMap = Impossible<(), Found>;
    type SerializeStruct = Tagged;
    type SerializeStructVariant = Impossible<(), Found>;

    none! {
        serialize_bool(bool); serialize_i8(i8); serialize_i16(i16); serialize_i32(i32);
        serialize_i64(i64); serialize_u8(u8); serialize_u16(u16); serialize_u32(u32);
        serialize_u64(u64); serialize_f32(f32); serialize_f64(f64); serialize_char(char);
        serialize_str(&str); serialize_bytes(&[u8]); serialize_none(); serialize_unit();
        serialize_unit_struct(&'static str);
    }

    fn serialize_some<T: Serialize + ?Sized>(self, _: &T) -> Result<(), Found> {
        Err(Found::None)
    }
    fn serialize_unit_variant(self, _: &'static str, _: u32, v: &'static str) -> Result<(), Found> {
        Err(Found::Name(v))
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        value: &T,
    ) -> Result<(), Found> {
        value.serialize(Capture)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        v: &'static str,
        _: &T,
    ) -> Result<(), Found> {
        Err(Found::Name(v))
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Self::SerializeSeq, Found> {
        Err(Found::None)
    }
    fn serialize_tuple(self, _: usize) -> Result<Self::SerializeTuple, Found> {
        Err(Found::None)
    }
    fn serialize_tuple_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleStruct, Found> {
        Err(Found::None)
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        v: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleVariant, Found> {
        Err(Found::Name(v))
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Self::SerializeMap, Found> {
        Err(Found::None)
    }
    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Tagged, Found> {
        Ok(Tagged)
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        v: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStructVariant, Found> {
        Err(Found::Name(v))
    }
}

#[cfg(test)]
mod tests {
    use super::variant_name;
    use serde::Serialize;

    #[derive(Serialize)]
    #[serde(tag = "name", content = "data", rename_all = "snake_case")]
    enum Adjacent {
        BecameLeader { term: u64 },
        Restored,
        Tuple(u64),
    }

    #[derive(Serialize)]
    #[serde(rename_all = "kebab-case")]
    enum External {
        StepDone { saga: u64 },
        Heal,
    }

    #[test]
    fn reads_names_of_both_forms() {
        assert_eq!(
            variant_name(&Adjacent::BecameLeader { term: 1 }),
            Some("became_leader")
        );
        assert_eq!(variant_name(&Adjacent::Restored), Some("restored"));
        assert_eq!(variant_name(&Adjacent::Tuple(3)), Some("tuple"));
        assert_eq!(
            variant_name(&External::StepDone { saga: 1 }),
            Some("step-done")
        );
        assert_eq!(variant_name(&External::Heal), Some("heal"));
        assert_eq!(variant_name(&5u64), None);
    }
}
