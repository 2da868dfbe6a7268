"""The wheel's platform tag. Everything else is in pyproject.toml.

The package is pure Python over ctypes, so a wheel built from the source tree alone is
`py3-none-any`. scripts/build-wheel.sh puts libhone.so (with the Swift runtime linked in)
into hone/ before building: that wheel holds machine code for this platform, so it is
marked non-pure and tagged `py3-none-<platform>` (e.g. linux_x86_64). `py3-none`
because no CPython extension module is inside: any Python 3 of that platform loads it.
"""
import os

from setuptools import setup
from setuptools.dist import Distribution

try:
    from setuptools.command.bdist_wheel import bdist_wheel
except ImportError:  # setuptools < 70.1 keeps it in the wheel package
    from wheel.bdist_wheel import bdist_wheel

HERE = os.path.dirname(os.path.abspath(__file__))
CARRIES_LIBRARY = os.path.isfile(os.path.join(HERE, "hone", "libhone.so"))


class LibraryDistribution(Distribution):
    def has_ext_modules(self):
        # Installs into platlib and makes the wheel non-pure when libhone.so is inside.
        return CARRIES_LIBRARY


class PlatformWheel(bdist_wheel):
    def finalize_options(self):
        super().finalize_options()
        self.root_is_pure = not CARRIES_LIBRARY

    def get_tag(self):
        python, abi, platform = super().get_tag()
        return ("py3", "none", platform) if CARRIES_LIBRARY else (python, abi, platform)


setup(distclass=LibraryDistribution, cmdclass={"bdist_wheel": PlatformWheel})
