#pragma once
// Everything of studio_prompt: document model, parser/writer, lint, templates, tag database.
#include "studio/prompt/PromptDocument.h"
#include "studio/prompt/PromptLint.h"
#include "studio/prompt/PromptTemplates.h"
#include "studio/prompt/TagDatabase.h"
