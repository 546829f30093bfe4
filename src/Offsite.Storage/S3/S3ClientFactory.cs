using Amazon;
using Amazon.Runtime;
using Amazon.S3;

namespace Offsite.Storage.S3;

/// <summary>Builds an S3 client configured for correctness on AWS and on S3-compatible servers.</summary>
public static class S3ClientFactory
{
    public static AmazonS3Client Create(S3Options options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var config = new AmazonS3Config
        {
            // The SDK's default flexible checksums (aws-chunked trailers) are rejected or stored verbatim by
            // several S3-compatible servers; integrity comes from Content-MD5 on put and the age MAC on read.
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
            RetryMode = RequestRetryMode.Standard, // exponential backoff with full jitter
            MaxErrorRetry = options.MaxErrorRetry,
            Timeout = options.RequestTimeout,
            ConnectTimeout = options.ConnectTimeout,
            // Connect and no-progress (I/O) timeouts on every socket: see S3HttpClientFactory.
            HttpClientFactory = new S3HttpClientFactory(options),
            ForcePathStyle = options.ForcePathStyle || options.Endpoint is not null,
        };
        if (options.Endpoint is not null)
        {
            config.ServiceURL = options.Endpoint.GetLeftPart(UriPartial.Authority);
            config.AuthenticationRegion = options.Region;
        }
        else
        {
            config.RegionEndpoint = RegionEndpoint.GetBySystemName(options.Region);
        }
        if (!string.IsNullOrEmpty(options.AccessKey) && !string.IsNullOrEmpty(options.SecretKey))
        {
            AWSCredentials credentials = string.IsNullOrEmpty(options.SessionToken)
                ? new BasicAWSCredentials(options.AccessKey, options.SecretKey)
                : new SessionAWSCredentials(options.AccessKey, options.SecretKey, options.SessionToken);
            return new AmazonS3Client(credentials, config);
        }
        if (!string.IsNullOrEmpty(options.Profile))
        {
            config.Profile = new Profile(options.Profile);
        }
        return new AmazonS3Client(config);
    }
}
