"""Build glue: `pip install .` runs SwiftPM (tools/swiftbuild.py) and installs
the resulting library as the extension module snake._snake."""
import sys
from pathlib import Path

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

sys.path.insert(0, str(Path(__file__).resolve().parent / "tools"))
import swiftbuild  # noqa: E402


class SwiftBuildExt(build_ext):
    def build_extension(self, ext):
        swiftbuild.install_library(swiftbuild.build(), Path(self.get_ext_fullpath(ext.name)))


setup(
    ext_modules=[Extension("snake._snake", sources=[])],
    cmdclass={"build_ext": SwiftBuildExt},
)
