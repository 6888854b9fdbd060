#pragma once
#include <torch/nn.h>  // planted: sim must not see torch
