namespace CidrController.Status;

internal enum StatusFormat
{
    Text,
    Json,
}
