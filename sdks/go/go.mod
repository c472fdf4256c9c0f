module github.com/human/sdk-go

go 1.23
