// Planted violation for the layering test: scenarios/ must not reach up into policy/.
#pragma once
#include "policy/registry.h"
