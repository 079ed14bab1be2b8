// XML prompt: parse -> lint -> canonical serialisation -> parse again. A prompt either fails with
// a PromptParseError carrying a position, or round-trips: parse(serialize(d)) == d and
// serialize is a fixed point.
#include "FuzzSupport.h"
#include "studio/Errors.h"
#include "studio/prompt/PromptDocument.h"
#include "studio/prompt/PromptLint.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string text(reinterpret_cast<const char*>(data), size);
    studio::PromptDocument doc;
    try {
        doc = studio::parse_prompt(text);
    } catch (const studio::PromptParseError& e) {
        if (e.line() < 1 || e.column() < 1) studio::fuzz::finding(std::string("error without a position: ") + e.what());
        return 0;
    }
    (void)studio::lint_prompt(doc);
    (void)studio::validate_prompt(text);
    std::string canonical;
    try {
        canonical = studio::serialize_prompt(doc);
    } catch (const studio::StudioError&) {
        return 0;  // e.g. an element name the writer refuses
    }
    studio::PromptDocument again;
    try {
        again = studio::parse_prompt(canonical);
    } catch (const studio::PromptParseError& e) {
        studio::fuzz::finding(std::string("canonical form does not parse: ") + e.what() + "\n" + canonical);
    }
    if (!(again == doc)) studio::fuzz::finding("parse(serialize(d)) != d\n" + canonical);
    if (studio::serialize_prompt(again) != canonical) studio::fuzz::finding("serialize is not a fixed point\n" + canonical);
    return 0;
}
