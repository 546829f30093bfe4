using Amazon;
using Amazon.Runtime;
using Amazon.Runtime.CredentialManagement;
using Amazon.Runtime.Credentials;
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
            // Resolved here, not left to the default chain, so a named profile wins over AWS_ACCESS_KEY_ID:
            // `copy` reads one account with the environment's keys and writes another with --to-s3-profile.
            if (!new CredentialProfileStoreChain().TryGetAWSCredentials(options.Profile, out var fromProfile))
            {
                throw new Offsite.Core.Errors.OffsiteException(Offsite.Core.Errors.ErrorKind.Usage,
                    $"AWS profile '{options.Profile}' not found in the shared credentials or config file");
            }
            config.Profile = new Profile(options.Profile);
            return new AmazonS3Client(fromProfile, config);
        }
        // Resolved here so that finding none is one clear line, not the SDK's four-exception report at the first request.
        AWSCredentials found;
        try
        {
            found = DefaultAWSCredentialsIdentityResolver.GetCredentials(config);
        }
        catch (AmazonClientException e)
        {
            throw new Offsite.Core.Errors.OffsiteException(Offsite.Core.Errors.ErrorKind.Usage,
                "no S3 credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or name a profile with AWS_PROFILE or --s3-profile (docs/s3.md)", e);
        }
        return new AmazonS3Client(found, config);
    }
}
