-- The one version number of cloudapi (CHANGELOG.md names the same).
return "0.2.0"
