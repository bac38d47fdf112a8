"""Stand-in for torch.nn.Module (see torch/__init__.py here)."""
import collections


class Module:
    def __init__(self):
        self._state = collections.OrderedDict()
        self._params = []

    def state_dict(self):
        return collections.OrderedDict(self._state)

    def parameters(self):
        return iter(self._params)
