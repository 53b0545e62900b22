//! The text fields of the model that can reach feedback material: labels, descriptions, memos, item texts, unit and
//! site names. The screen masks them all at the data boundary, before any chart or page is made.

use crate::corpus::Corpus;
use crate::ideas::IdeaRecords;
use crate::survey::SurveyRecords;

/// A value whose participant-facing texts the screen can look through and mask.
pub trait ScreenedFields {
    fn fields(&self) -> Vec<&str>;
    fn fields_mut(&mut self) -> Vec<&mut String>;
}

macro_rules! corpus_fields {
    ($c:expr, $push:ident, $opt:ident) => {{
        $push!($c.settings.name);
        for m in $c.municipalities.$opt() {
            $push!(m.name);
        }
        for w in $c.waves.$opt() {
            $push!(*w);
        }
        for code in $c.codes.$opt() {
            $push!(code.label_sv);
            $push!(code.label_en);
            for d in code.description.$opt() {
                $push!(*d);
            }
        }
        for p in $c.participants.$opt() {
            for u in p.unit.$opt() {
                $push!(*u);
            }
        }
        for s in $c.sources.$opt() {
            for u in s.unit.$opt() {
                $push!(*u);
            }
        }
    }};
}

macro_rules! survey_fields {
    ($c:expr, $push:ident, $opt:ident) => {{
        for i in $c.instruments.$opt() {
            $push!(i.name_sv);
            $push!(i.name_en);
            for l in i.labels_sv.$opt().chain(i.labels_en.$opt()) {
                $push!(*l);
            }
            for d in i.dimensions.$opt() {
                $push!(d.label_sv);
                $push!(d.label_en);
            }
            for item in i.items.$opt() {
                $push!(item.text_sv);
                $push!(item.text_en);
            }
        }
    }};
}

macro_rules! idea_fields {
    ($c:expr, $push:ident, $opt:ident) => {{
        for idea in $c.ideas.$opt() {
            for t in idea.title.$opt() {
                $push!(*t);
            }
            for u in idea.unit.$opt() {
                $push!(*u);
            }
        }
        for h in $c.headcounts.$opt() {
            for u in h.unit.$opt() {
                $push!(*u);
            }
        }
    }};
}

macro_rules! impl_fields {
    ($t:ty, $m:ident) => {
        impl ScreenedFields for $t {
            fn fields(&self) -> Vec<&str> {
                let mut out: Vec<&str> = Vec::new();
                macro_rules! push {
                    ($e:expr) => {
                        out.push(&$e)
                    };
                }
                $m!(self, push, iter);
                out
            }

            fn fields_mut(&mut self) -> Vec<&mut String> {
                let mut out: Vec<&mut String> = Vec::new();
                macro_rules! push {
                    ($e:expr) => {
                        out.push(&mut $e)
                    };
                }
                $m!(self, push, iter_mut);
                out
            }
        }
    };
}

impl_fields!(Corpus, corpus_fields);
impl_fields!(SurveyRecords, survey_fields);
impl_fields!(IdeaRecords, idea_fields);
