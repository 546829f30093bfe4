using Offsite.Storage.S3;

namespace Offsite.Storage.Tests;

public sealed class S3UrlTests
{
    private static readonly S3Options Defaults = new() { Bucket = "unset", Region = "eu-west-1" };

    [Fact]
    public void Endpoint_in_the_url_uses_path_style()
    {
        var o = S3Url.Parse("s3:http://127.0.0.1:7480/backups/host1/repo", Defaults);
        Assert.Equal(new Uri("http://127.0.0.1:7480"), o.Endpoint);
        Assert.Equal("backups", o.Bucket);
        Assert.Equal("host1/repo/", o.NormalizedPrefix);
        Assert.True(o.ForcePathStyle);
        Assert.Equal("eu-west-1", o.Region);
        Assert.Equal("s3:http://127.0.0.1:7480/backups/host1/repo", o.Location);
    }

    [Fact]
    public void Host_without_scheme_means_https()
    {
        var o = S3Url.Parse("s3:minio.example.org:9000/b-1", Defaults);
        Assert.Equal(new Uri("https://minio.example.org:9000"), o.Endpoint);
        Assert.Equal("b-1", o.Bucket);
        Assert.Equal("", o.NormalizedPrefix);
    }

    [Fact]
    public void Bucket_url_uses_aws_or_the_separate_endpoint()
    {
        var aws = S3Url.Parse("s3://my-bucket/offsite/", Defaults);
        Assert.Null(aws.Endpoint);
        Assert.False(aws.ForcePathStyle);
        Assert.Equal("my-bucket", aws.Bucket);
        Assert.Equal("offsite/", aws.NormalizedPrefix);
        Assert.Equal("s3://my-bucket/offsite (eu-west-1)", aws.Location);

        var custom = S3Url.Parse("s3://my-bucket", Defaults with { Endpoint = new Uri("https://r2.example.com"), ForcePathStyle = true });
        Assert.Equal(new Uri("https://r2.example.com"), custom.Endpoint);
        Assert.True(custom.ForcePathStyle);
        Assert.Equal("", custom.Prefix);
    }

    [Theory]
    [InlineData("s3://")]
    [InlineData("s3://ab")]
    [InlineData("s3://Upper/x")]
    [InlineData("s3:https://host/")]
    [InlineData("s3:ftp://host/bucket")]
    [InlineData("s3://bucket/../x")]
    [InlineData("s3:https://key:secret@host/bucket")]
    [InlineData("/srv/repo")]
    public void Bad_locations_are_refused(string location)
    {
        Assert.Throws<FormatException>(() => S3Url.Parse(location, Defaults));
    }

    [Fact]
    public void Credentials_in_a_url_are_not_echoed()
    {
        var e = Assert.Throws<FormatException>(() => S3Url.Parse("s3:https://key:hunter2@host/bucket", Defaults));
        Assert.DoesNotContain("hunter2", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Location_never_shows_secrets()
    {
        var o = S3Url.Parse("s3:http://h:1/bucket", Defaults with { AccessKey = "AKIAEXAMPLE", SecretKey = "s3cr3t" });
        Assert.DoesNotContain("s3cr3t", o.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("AKIAEXAMPLE", o.ToString(), StringComparison.Ordinal);
    }
}
